"""The survey figures the quarterly reports may use: who was asked and who answered, and the
distributions and means of the answers, for one organisation or nationally, one quarter at a time.
Nothing else about surveys ever leaves this module for a report.

These are raw aggregates. Disclosure control (k distinct people behind a figure, counts of 1 to 7
shown as `*`, others rounded to the nearest 5, complementary suppression, no 0% or 100% of a band,
the comparison rule for two quarters) is the reports' job (issue 9), in its own pure step: nothing
here may reach an employer without it.

Each person counts once in a quarter: their most recent submitted response to each instrument
stands for them, so every count of answers below is a count of people.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from ..extensions import db
from .instruments import SINGLE_ITEM, SINGLE_ITEM_THRESHOLD, Scale
from .models import InstrumentKey, PulseAnswer, PulseInvitation, PulseResponse, PulseRound
from .scoring import cbi_scores

VALUES = (1, 2, 3, 4, 5)  # the single item's and Cwtch's own questions' answers
BANDS = (0, 25, 50, 75)  # CBI score bands by their lower bound: 0–24.9, 25–49.9, 50–74.9, 75–100
AGREEMENT_ITEMS = ("S1", "S2", "S3")


@dataclass(frozen=True)
class ScaleFigures:
    """One CBI scale across the people whose answers scored it."""

    scored: int
    mean: float | None  # None when nobody's answers scored it
    high: int  # 50 or more: "moderate or higher burnout" by a research convention, not a diagnosis
    bands: dict[int, int]  # lower bound of each band (BANDS) → people; every band, zero included


@dataclass(frozen=True)
class PulseFigures:
    """One quarter's survey figures, for one organisation or nationally. Counts, means and
    distributions only: no ids, no comments, no dates finer than the quarter, no row, no person.

    `respondent_keys` is there only so that the reports can apply the comparison rule between two
    quarters (DESIGN.md rule 5). It must never leave the server: no page, PDF, CSV or log may show
    it, which is why it is left out of the repr.
    """

    year: int
    quarter: int
    organisation_id: int | None  # None: every organisation (the national benchmark)
    invited: int  # distinct people invited to any round of the quarter
    answered: int  # distinct people who submitted at least one response in the quarter
    # The monthly pulse: each person's most recent submitted monthly response in the quarter.
    monthly_respondents: int
    single_item_answered: int
    single_item: dict[int, int]  # value 1..5 → people; every value, zero included
    burning_out: int  # single item 3 or more
    agreement: dict[str, dict[int, int]]  # S1, S2, S3 → value 1..5 → people
    # The CBI: each person's most recent submitted CBI response in the quarter.
    cbi_respondents: int
    scales: dict[str, ScaleFigures]  # every Scale value
    welsh_responses: int  # responses behind these figures answered in Welsh: an unvalidated translation
    instrument_versions: tuple[str, ...]  # e.g. ("cbi 1", "monthly 1"), of the responses behind the figures
    respondent_keys: frozenset[str] = field(repr=False)


def quarter_months(quarter: int) -> tuple[int, int, int]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter {quarter}")
    first = 3 * (quarter - 1) + 1
    return first, first + 1, first + 2


def _counts(values: list[int], keys: tuple[int, ...]) -> dict[int, int]:
    counts = dict.fromkeys(keys, 0)
    for value in values:
        counts[value] += 1
    return counts


def _band(score: float) -> int:
    return BANDS[min(int(score // 25), len(BANDS) - 1)]


def _scale_figures(scores: list[float]) -> ScaleFigures:
    return ScaleFigures(
        scored=len(scores),
        mean=sum(scores) / len(scores) if scores else None,
        high=sum(score >= 50 for score in scores),
        bands=_counts([_band(score) for score in scores], BANDS),
    )


@dataclass
class _Latest:
    """A person's most recent response to one instrument, while the rows are read."""

    position: tuple[int, int]  # (month, round id): later months win; the round id breaks a tie
    response_id: str
    language: str
    version: str


def pulse_figures(*, year: int, quarter: int, organisation_id: int | None = None) -> PulseFigures:
    """The figures of the rounds held in this quarter (by the round's month) in one organisation,
    or in every organisation when `organisation_id` is None.

    Two queries whatever the amount of data: the number invited, and the submitted responses joined
    to their answers. The rows never leave this function; comments are never read.
    """
    months = quarter_months(quarter)
    in_quarter = [PulseRound.year == year, PulseRound.month.in_(months)]
    if organisation_id is not None:
        in_quarter.append(PulseRound.organisation_id == organisation_id)

    invited = db.session.scalar(
        select(func.count(distinct(PulseInvitation.user_id)))
        .join(PulseRound, PulseRound.id == PulseInvitation.round_id).where(*in_quarter)) or 0

    rows = db.session.execute(
        select(PulseResponse.id, PulseResponse.respondent_key, PulseResponse.instrument,
               PulseResponse.instrument_version, PulseResponse.language, PulseRound.month, PulseRound.id,
               PulseAnswer.item, PulseAnswer.value)
        .join(PulseRound, PulseRound.id == PulseResponse.round_id)
        .outerjoin(PulseAnswer, PulseAnswer.response_id == PulseResponse.id)
        .where(PulseResponse.submitted.is_(True), *in_quarter))
    latest: dict[InstrumentKey, dict[str, _Latest]] = {key: {} for key in InstrumentKey}
    answers: dict[str, dict[str, int]] = {}
    for response_id, key, instrument, version, language, month, round_id, item, value in rows:
        answers.setdefault(response_id, {})
        if item is not None:
            answers[response_id][item] = value
        current = latest[instrument].get(key)
        if current is None or (month, round_id) > current.position:
            latest[instrument][key] = _Latest((month, round_id), response_id, language, version)

    monthly = [answers[r.response_id] for r in latest[InstrumentKey.monthly].values()]
    cbi = [cbi_scores(answers[r.response_id]) for r in latest[InstrumentKey.cbi].values()]
    single = [a[SINGLE_ITEM.id] for a in monthly if SINGLE_ITEM.id in a]
    behind = [r for by_key in latest.values() for r in by_key.values()]
    keys = frozenset(key for by_key in latest.values() for key in by_key)
    return PulseFigures(
        year=year,
        quarter=quarter,
        organisation_id=organisation_id,
        invited=invited,
        answered=len(keys),
        monthly_respondents=len(monthly),
        single_item_answered=len(single),
        single_item=_counts(single, VALUES),
        burning_out=sum(value >= SINGLE_ITEM_THRESHOLD for value in single),
        agreement={item: _counts([a[item] for a in monthly if item in a], VALUES) for item in AGREEMENT_ITEMS},
        cbi_respondents=len(cbi),
        scales={scale.value: _scale_figures([s[scale].score for s in cbi if s[scale].scored]) for scale in Scale},
        welsh_responses=sum(r.language == "cy" for r in behind),
        instrument_versions=tuple(sorted({f"{instrument.value} {r.version}"
                                          for instrument, by_key in latest.items() for r in by_key.values()})),
        respondent_keys=keys,
    )
