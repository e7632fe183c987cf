"""Scoring against hand-worked cases, and the instruments against the published texts."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from supervision.pulse.instruments import CBI, MONTHLY, OPTIONS, Format, Scale
from supervision.pulse.scoring import InvalidAnswer, burning_out, cbi_scores, check_answers, needs_support, scale_score


# --- the key: 100 / 75 / 50 / 25 / 0, and W7 reversed -------------------------------------------

def test_frequency_and_degree_keys_are_the_published_points():
    with force_locale("en"):
        assert [(o.value, str(o.label)) for o in OPTIONS[Format.frequency]] == [
            (100, "Always"), (75, "Often"), (50, "Sometimes"), (25, "Seldom"), (0, "Never or almost never")]
        assert [(o.value, str(o.label)) for o in OPTIONS[Format.degree]] == [
            (100, "To a very high degree"), (75, "To a high degree"), (50, "Somewhat"),
            (25, "To a low degree"), (0, "To a very low degree")]


def test_personal_scale_is_the_mean_of_its_answered_items():
    # Always, Often, Sometimes, Seldom, Never, Often: (100 + 75 + 50 + 25 + 0 + 75) / 6 = 54.1666…
    answers = {"P1": 100, "P2": 75, "P3": 50, "P4": 25, "P5": 0, "P6": 75}
    result = scale_score(Scale.personal, answers)
    assert result.score == pytest.approx(325 / 6)
    assert (result.answered, result.needed, result.total) == (6, 3, 6)
    assert result.high


def test_w7_is_reversed_always_scores_0_and_never_scores_100():
    # W1–W3 "Somewhat" (50 each); W7 "Always" (stored 100) scores 0: (50 + 50 + 50 + 0) / 4 = 37.5.
    assert scale_score(Scale.work, {"W1": 50, "W2": 50, "W3": 50, "W7": 100}).score == 37.5
    # W7 "Never or almost never" (stored 0) scores 100: (50 + 50 + 50 + 100) / 4 = 62.5.
    assert scale_score(Scale.work, {"W1": 50, "W2": 50, "W3": 50, "W7": 0}).score == 62.5
    # Reversal alone can carry the scale over the line.
    assert not scale_score(Scale.work, {"W1": 50, "W2": 25, "W3": 50, "W7": 75}).high  # (50+25+50+25)/4 = 37.5
    assert scale_score(Scale.work, {"W1": 50, "W2": 25, "W3": 50, "W7": 0}).high  # (50+25+50+100)/4 = 56.25


def test_all_seven_work_items_hand_worked():
    answers = {"W1": 75, "W2": 50, "W3": 25, "W4": 100, "W5": 50, "W6": 25, "W7": 25}
    # W7 Seldom (25) scores 75: (75 + 50 + 25 + 100 + 50 + 25 + 75) / 7 = 400 / 7 = 57.14…
    assert scale_score(Scale.work, answers).score == pytest.approx(400 / 7)


@pytest.mark.parametrize("scale, items, needed", [
    (Scale.personal, ["P1", "P2", "P3", "P4", "P5", "P6"], 3),
    (Scale.work, ["W1", "W2", "W3", "W4", "W5", "W6", "W7"], 4),
    (Scale.client, ["C1", "C2", "C3", "C4", "C5", "C6"], 3),
])
def test_minimum_answered_rules(scale, items, needed):
    too_few = {item: 75 for item in items[:needed - 1]}
    just_enough = {item: 75 for item in items[:needed]}
    short = scale_score(scale, too_few)
    assert short.score is None and not short.scored and not short.high
    assert (short.answered, short.needed) == (needed - 1, needed)
    assert scale_score(scale, just_enough).score == 75


def test_no_total_across_scales_and_each_scale_is_separate():
    scores = cbi_scores({"P1": 100, "P2": 100, "P3": 100, "C1": 0, "C2": 0, "C3": 0})
    assert set(scores) == {Scale.personal, Scale.work, Scale.client}
    assert scores[Scale.personal].score == 100 and scores[Scale.client].score == 0
    assert scores[Scale.work].score is None


def test_fifty_exactly_is_high_and_just_under_is_not():
    assert scale_score(Scale.client, {"C1": 50, "C2": 50, "C3": 50}).high  # 50.0
    # (50 + 50 + 25) / 3 = 41.67; (75 + 50 + 25) / 3 = 50; (75 + 25 + 25 + 75 + 50 + 25)/6 = 45.8
    assert not scale_score(Scale.client, {"C1": 50, "C2": 50, "C3": 25}).high
    assert scale_score(Scale.client, {"C1": 75, "C2": 50, "C3": 25}).high
    assert not scale_score(Scale.personal, {"P1": 75, "P2": 25, "P3": 25, "P4": 75, "P5": 50, "P6": 25}).high


# --- the single item -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [(1, False), (2, False), (3, True), (4, True), (5, True), (None, None)])
def test_single_item_three_or_more_is_burning_out(value, expected):
    assert burning_out(value) is expected


def test_needs_support_at_each_threshold():
    assert not needs_support(MONTHLY, {"B1": 2, "S1": 1, "S2": 1, "S3": 1})
    assert needs_support(MONTHLY, {"B1": 3})
    assert not needs_support(MONTHLY, {"S1": 1})  # the single item unanswered
    assert not needs_support(CBI, {"P1": 50, "P2": 25, "P3": 50})  # 41.7
    assert needs_support(CBI, {"P1": 50, "P2": 50, "P3": 50})
    assert needs_support(CBI, {"W1": 50, "W2": 25, "W3": 50, "W7": 0})  # W7 reversed: 56.25
    assert not needs_support(CBI, {"P1": 100, "P2": 100})  # too few to score


def test_answers_outside_the_instrument_are_refused():
    check_answers(CBI, {"P1": 100, "W7": 0})
    check_answers(MONTHLY, {"B1": 5, "S3": 1})
    for instrument, answers in [(CBI, {"P1": 60}), (CBI, {"B1": 3}), (MONTHLY, {"B1": 0}), (MONTHLY, {"B1": 6}),
                                (MONTHLY, {"P1": 100}), (MONTHLY, {"S1": 100}), (CBI, {"X9": 0})]:
        with pytest.raises(InvalidAnswer):
            check_answers(instrument, answers)


# --- the instruments are the published ones ------------------------------------------------------

# Copied from ../shared/instruments.md, which CI does not have: the published wording and formats.
PROMPT = 'Overall, based on your definition of burnout, how would you rate your level of burnout?'
PUBLISHED = {
    'P1': ('How often do you feel tired?', 'F'),
    'P2': ('How often are you physically exhausted?', 'F'),
    'P3': ('How often are you emotionally exhausted?', 'F'),
    'P4': ('How often do you think: "I can\'t take it anymore"?', 'F'),
    'P5': ('How often do you feel worn out?', 'F'),
    'P6': ('How often do you feel weak and susceptible to illness?', 'F'),
    'W1': ('Is your work emotionally exhausting?', 'D'),
    'W2': ('Do you feel burnt out because of your work?', 'D'),
    'W3': ('Does your work frustrate you?', 'D'),
    'W4': ('Do you feel worn out at the end of the working day?', 'F'),
    'W5': ('Are you exhausted in the morning at the thought of another day at work?', 'F'),
    'W6': ('Do you feel that every working hour is tiring for you?', 'F'),
    'W7': ('Do you have enough energy for family and friends during leisure time?', 'F'),
    'C1': ('Do you find it hard to work with the people you support?', 'D'),
    'C2': ('Do you find it frustrating to work with the people you support?', 'D'),
    'C3': ('Does it drain your energy to work with the people you support?', 'D'),
    'C4': ('Do you feel that you give more than you get back when you work with the people you support?', 'D'),
    'C5': ('Are you tired of working with the people you support?', 'F'),
    'C6': ('Do you sometimes wonder how long you will be able to continue working with the people you support?', 'F'),
    'S1': ('In the last month I had supervision that helped me.', None),
    'S2': ('I know who to talk to after a difficult case.', None),
    'S3': ('I feel supported by my employer.', None),
}
SINGLE_ITEM_STATEMENTS = [
    (1, 'I enjoy my work. I have no symptoms of burnout.'),
    (2, "Occasionally I am under stress, and I don't always have as much energy as I once did, but I don't feel burned out."),
    (3, 'I am definitely burning out and have one or more symptoms of burnout, such as physical and emotional exhaustion.'),
    (4, "The symptoms of burnout that I'm experiencing won't go away. I think about frustration at work a lot."),
    (5, 'I feel completely burned out and often wonder if I can go on. I am at the point where I may need some changes or may need to seek some sort of help.'),
]


def test_item_texts_are_exactly_the_published_ones():
    with force_locale("en"):
        ours = {item.id: str(item.text) for item in (*CBI.items, *MONTHLY.items) if item.id != "B1"}
        assert ours == {item_id: text for item_id, (text, _format) in PUBLISHED.items()}
        assert str(MONTHLY.items[0].text) == PROMPT
        assert [(o.value, str(o.label)) for o in OPTIONS[Format.single]] == SINGLE_ITEM_STATEMENTS


def test_cbi_has_19_items_mixed_not_grouped_and_w7_alone_is_reversed():
    ids = [item.id for item in CBI.items]
    assert len(ids) == 19 and set(ids) == {i for i in PUBLISHED if i[0] in "PWC"}
    # No two neighbours come from the same scale.
    assert [a for a, b in zip(ids, ids[1:]) if a[0] == b[0]] == []
    assert [item.id for item in CBI.items if item.reverse] == ["W7"]
    ours = {item.id: "F" if item.format == Format.frequency else "D" for item in CBI.items}
    assert ours == {i: f for i, (_text, f) in PUBLISHED.items() if f}


def test_every_instrument_has_a_version():
    assert MONTHLY.version and CBI.version
    assert MONTHLY.has_comment and not CBI.has_comment
