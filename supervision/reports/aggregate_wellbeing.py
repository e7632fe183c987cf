"""Stage 1, wellbeing: the pulse survey figures of a quarter, in SQL.

The same rules as pulse.reporting.pulse_figures: each person's most recent submitted response to
each instrument in the quarter stands for them (a later month wins; the round id breaks a tie), so
every count is a count of people. A CBI scale is scored when enough of its items were answered; its
score is the mean of the answered items' points (W7 reversed). Comments are never read.

One statement: the latest responses are ranked once, in CTEs marked MATERIALIZED (SQLite 3.35+,
PostgreSQL 12+), and every figure is a branch of one UNION ALL over it, told apart by its kind.
The only rows per person are the opaque keys rule 5 compares, and only for one organisation (the
national benchmark is never compared): each instrument's respondents, each monthly item's and each
CBI scale's (those whose answers scored it), so that every figure is compared by its own people.
"""
from __future__ import annotations

import functools

from sqlalchemy import (CTE, CompoundSelect, Float, Integer, Select, String, and_, case, cast, distinct,
                        func, literal, literal_column, null, select, union_all)

from ..extensions import db
from ..pulse.instruments import CBI, MIN_ANSWERED, MONTHLY, SCALE_THRESHOLD, SINGLE_ITEM, SINGLE_ITEM_THRESHOLD
from ..pulse.models import InstrumentKey, PulseAnswer, PulseResponse, PulseRound
from .aggregate_people import bound_rounds
from .aggregate_sql import BoundScope, Scope, as_float, key_list
from .figures import AGREEMENT_ITEMS, LIKERT, SCALES, SINGLE_ITEM_ID, PersonKey, ScaleFigures, Wellbeing

MONTHLY_ITEMS = (SINGLE_ITEM.id, *AGREEMENT_ITEMS)
if SINGLE_ITEM.id != SINGLE_ITEM_ID or not all(item in {i.id for i in MONTHLY.items} for item in MONTHLY_ITEMS):
    raise RuntimeError("the report's monthly items must be the monthly pulse's")
_REVERSED = tuple(item.id for item in CBI.items if item.reverse)
# Each CBI item's first letter names its scale (P1, W7, C3): the database reads the scale off the
# id rather than matching it against every item, which costs most of the survey figures' time.
_SCALE_OF_LETTER = {item.id[0]: item.scale.value for item in CBI.items if item.scale is not None}
if any(item.scale is None or _SCALE_OF_LETTER[item.id[0]] != item.scale.value for item in CBI.items) or (
        len(_SCALE_OF_LETTER) != len(SCALES)):
    raise RuntimeError("every CBI item's first letter must name its scale, one letter per scale")

# The kinds of row of the one statement; its columns: kind, instrument, key, value, people, mean, high.
_VERSIONS, _MONTHLY, _SCALES, _PEOPLE, _KEYS = range(5)


def _latest(organisation: bool, draft: bool) -> CTE:
    """Each person's most recent submitted response to each instrument in the quarter, computed once
    per statement however many branches read it. The quarter's responses are set apart first: ranked
    straight from the tables, SQLite walks every response of every quarter in respondent order."""
    rounds = bound_rounds(organisation, draft)
    scoped = (
        select(PulseResponse.id.label("response_id"), PulseResponse.respondent_key, PulseResponse.instrument,
               PulseResponse.instrument_version, PulseResponse.language, PulseRound.month,
               PulseRound.id.label("round_id"))
        .join(PulseRound, PulseRound.id == PulseResponse.round_id)
        .where(PulseResponse.submitted.is_(True), *rounds)
    ).cte("scoped").prefix_with("MATERIALIZED")
    ranked = select(
        scoped.c.response_id, scoped.c.respondent_key, scoped.c.instrument, scoped.c.instrument_version,
        scoped.c.language,
        func.row_number().over(partition_by=(scoped.c.respondent_key, scoped.c.instrument),
                               order_by=(scoped.c.month.desc(), scoped.c.round_id.desc())).label("position"),
    ).subquery("ranked")
    return select(ranked).where(ranked.c.position == 1).cte("latest").prefix_with("MATERIALIZED")


def _row(kind: int, *, instrument=None, key=None, value=None, people=None, mean=None, high=None) -> list:
    """The columns of one branch, NULL where its kind has none."""
    return [literal_column(str(kind), Integer).label("kind"),
            (null() if instrument is None else instrument).label("instrument"),
            (cast(null(), String) if key is None else key).label("key"),
            (cast(null(), Integer) if value is None else value).label("value"),
            (cast(null(), Integer) if people is None else people).label("people"),
            (cast(null(), Float) if mean is None else mean).label("mean"),
            (cast(null(), Integer) if high is None else high).label("high")]


def _versions(latest: CTE) -> Select:
    """The respondents by instrument and version. First: the union's column types are its."""
    return (select(*_row(_VERSIONS, instrument=latest.c.instrument, key=latest.c.instrument_version,
                         people=func.count()))
            .group_by(latest.c.instrument, latest.c.instrument_version))


def _monthly(latest: CTE) -> Select:
    """People per MONTHLY_ITEMS item and answer."""
    return (select(*_row(_MONTHLY, key=PulseAnswer.item, value=PulseAnswer.value, people=func.count()))
            .select_from(latest)
            .join(PulseAnswer, latest.c.response_id == PulseAnswer.response_id)
            .where(latest.c.instrument == InstrumentKey.monthly, PulseAnswer.item.in_(MONTHLY_ITEMS))
            .group_by(PulseAnswer.item, PulseAnswer.value))


_LETTER_OF_SCALE = {scale: letter for letter, scale in _SCALE_OF_LETTER.items()}
_NEEDED = {scale.value: count for scale, count in MIN_ANSWERED.items()}


def _scored(latest: CTE) -> CTE:
    """One row per latest CBI response: for each scale, how many of its items were answered and their
    points (W7 reversed). Materialised: the scale figures and the keys both read it. Grouped by
    response alone, so that a response's answers, read in one range of the primary key, are summed
    as they come."""
    # Every answer of a CBI response is to a scale's item (checked at import, above).
    letter = func.substr(PulseAnswer.item, 1, 1)
    points = case((PulseAnswer.item.in_(_REVERSED), 100 - PulseAnswer.value), else_=PulseAnswer.value)
    sums = []
    for scale in SCALES:
        mine = letter == _LETTER_OF_SCALE[scale]
        sums += [func.sum(case((mine, 1), else_=0)).label(f"{scale}_answered"),
                 func.sum(case((mine, points), else_=0)).label(f"{scale}_total")]
    return (select(latest.c.response_id, latest.c.respondent_key, *sums)
            .select_from(latest).outerjoin(PulseAnswer, PulseAnswer.response_id == latest.c.response_id)
            .where(latest.c.instrument == InstrumentKey.cbi)
            .group_by(latest.c.response_id, latest.c.respondent_key)).cte("scored").prefix_with("MATERIALIZED")


def _enough(scored: CTE, scale: str):
    """Whether the response answered enough of the scale's items to score it."""
    return scored.c[f"{scale}_answered"] >= _NEEDED[scale]


def _survey_key(respondent_key, response_id):
    """(respondent key, response id) as one text value, split again in Python: rule 5 compares people
    across quarters, and within one quarter their responses too."""
    return respondent_key.concat(":").concat(response_id)


def _scales(scored: CTE) -> list[Select]:
    """Per scale, over the responses that scored it: one branch each, the scale's name as its key."""
    branches = []
    for scale in SCALES:
        enough, answered, total = _enough(scored, scale), scored.c[f"{scale}_answered"], scored.c[f"{scale}_total"]
        # A score of 50 or more is total / answered >= 50: compared in whole numbers, so no rounding decides it.
        high = func.sum(case((enough & (total >= SCALE_THRESHOLD * answered), 1), else_=0))
        branches.append(select(*_row(_SCALES, key=literal(scale, String), people=func.count(case((enough, 1))),
                                     mean=func.avg(case((enough, cast(total, Float) / answered))), high=high)))
    return branches


def _people(latest: CTE) -> Select:
    """Those who answered either instrument (`value`), and those of them whose responses were in Welsh."""
    return select(*_row(_PEOPLE, value=func.count(distinct(latest.c.respondent_key)),
                        people=func.count(distinct(case((latest.c.language == "cy", latest.c.respondent_key))))))


def _bits(column, positions: dict[str, int]):
    """A sum of these over a response's distinct items is the set of them, one bit each."""
    return func.sum(case({name: 1 << position for name, position in positions.items()}, value=column, else_=0))


def _keys(latest: CTE, scored: CTE) -> list[Select]:
    """The keys rule 5 compares, one row per instrument: each person's latest response to it as
    "respondent:response:bits", joined by commas (key_list), where the bits are which monthly items
    they answered (the items are optional, so one item's people may differ from another's) or which
    CBI scales their answers scored, as positions in MONTHLY_ITEMS or SCALES. One row each rather
    than one per person: reading rows costs more than the statement takes to run."""
    scope = BoundScope(organisation=True)
    items = _bits(PulseAnswer.item, {item: MONTHLY_ITEMS.index(item) for item in MONTHLY_ITEMS})
    answered = (select(latest.c.respondent_key, latest.c.response_id, items.label("bits"))
                .select_from(latest)
                .outerjoin(PulseAnswer, and_(PulseAnswer.response_id == latest.c.response_id,
                                             PulseAnswer.item.in_(MONTHLY_ITEMS)))
                .where(latest.c.instrument == InstrumentKey.monthly)
                .group_by(latest.c.respondent_key, latest.c.response_id)).subquery("answered")
    scales = sum((case((_enough(scored, scale), 1 << position), else_=0) for position, scale in enumerate(SCALES)),
                 start=literal(0))
    return [select(*_row(_KEYS, instrument=literal(instrument.value, String),
                         key=key_list(scope, _survey_key(rows.c.respondent_key, rows.c.response_id)
                                      .concat(":").concat(cast(bits, String)))))
            .select_from(rows)
            for instrument, rows, bits in ((InstrumentKey.monthly, answered, answered.c.bits),
                                           (InstrumentKey.cbi, scored, scales))]


def _split(keys: str | None) -> list[tuple[PersonKey, int]]:
    """_keys' text back as ((respondent, response), bits)."""
    split = [key.split(":") for key in keys.split(",")] if keys else []
    return [((respondent, response), int(bits)) for respondent, response, bits in split]


@functools.cache
def _statement(dialect: str, organisation: bool, draft: bool) -> CompoundSelect:
    """The one statement, built once per process for each shape of scope (one organisation or all
    of them; whole quarter or a draft), its values bound at execution: building it costs more than
    an organisation's SQL takes to run. `dialect` keys the cache: the keys' aggregate is written per
    dialect."""
    latest = _latest(organisation, draft)
    scored = _scored(latest)
    branches = [_versions(latest), _monthly(latest), *_scales(scored), _people(latest)]
    if organisation:
        branches += _keys(latest, scored)
    return union_all(*branches)


def wellbeing(scope: Scope) -> tuple[Wellbeing, int]:
    """The survey figures, and how many people answered either instrument. One query whatever the
    number of responses: the respondents by instrument and version, the monthly distributions, the
    CBI scales, those who answered and those in Welsh and, for an organisation, the keys (per
    instrument, monthly item and scale), over one materialised ranking of the latest responses."""
    statement = _statement(db.session.get_bind().dialect.name, scope.organisation_id is not None,
                           scope.draft_until is not None)
    rows = db.session.execute(statement, scope.values()).all()
    monthly = {item: dict.fromkeys(LIKERT, 0) for item in MONTHLY_ITEMS}
    scored: dict[str, tuple[int, float | None, int]] = {}
    by_version: list[tuple[InstrumentKey, str, int]] = []
    welsh = answered = 0
    keys: dict[InstrumentKey, set[PersonKey]] = {instrument: set() for instrument in InstrumentKey}
    item_keys: dict[str, set[PersonKey]] = {item: set() for item in MONTHLY_ITEMS}
    scale_keys: dict[str, set[PersonKey]] = {scale: set() for scale in SCALES}
    for kind, instrument, key, value, people, mean, high in rows:
        if kind == _VERSIONS:
            by_version.append((InstrumentKey(instrument), key, people))
        elif kind == _MONTHLY:
            if str(value) in monthly[key]:
                monthly[key][str(value)] = people
        elif kind == _SCALES:
            scored[key] = (people, as_float(mean), int(high or 0))
        elif kind == _PEOPLE:
            welsh, answered = people or 0, value or 0
        else:
            instrument = InstrumentKey(instrument)
            names, sets = (MONTHLY_ITEMS, item_keys) if instrument == InstrumentKey.monthly else (SCALES, scale_keys)
            for person, bits in _split(key):
                keys[instrument].add(person)
                for position, name in enumerate(names):
                    if bits >> position & 1:
                        sets[name].add(person)
    respondents = {key: 0 for key in InstrumentKey}
    for instrument, _version, people in by_version:
        respondents[instrument] += people
    scales = {}
    for scale in SCALES:
        count, mean, high_count = scored.get(scale, (0, None, 0))
        scales[scale] = ScaleFigures(scored=count, mean=mean,
                                     bands={"under_50": count - high_count, "50_or_more": high_count})
    single = monthly[SINGLE_ITEM.id]
    return Wellbeing(
        monthly_respondents=respondents[InstrumentKey.monthly],
        single_item=single,
        burning_out=sum(people for value, people in single.items() if int(value) >= SINGLE_ITEM_THRESHOLD),
        agreement={item: monthly[item] for item in AGREEMENT_ITEMS},
        cbi_respondents=respondents[InstrumentKey.cbi],
        scales=scales,
        welsh_respondents=welsh,
        instrument_versions=tuple(sorted({f"{instrument.value} {version}" for instrument, version, _ in by_version})),
        monthly_keys=frozenset(keys[InstrumentKey.monthly]),
        item_keys={item: frozenset(item_keys[item]) for item in MONTHLY_ITEMS},
        cbi_keys=frozenset(keys[InstrumentKey.cbi]),
        scale_keys={scale: frozenset(scale_keys[scale]) for scale in SCALES},
    ), answered
