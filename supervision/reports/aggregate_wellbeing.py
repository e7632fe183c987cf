"""Stage 1, wellbeing: the pulse survey figures of a quarter, in SQL.

The same rules as pulse.reporting.pulse_figures: each person's most recent submitted response to
each instrument in the quarter stands for them (a later month wins; the round id breaks a tie), so
every count is a count of people. A CBI scale is scored when enough of its items were answered; its
score is the mean of the answered items' points (W7 reversed). Comments are never read.
"""
from __future__ import annotations

from sqlalchemy import Float, Subquery, case, cast, distinct, func, select

from ..extensions import db
from ..pulse.instruments import CBI, MIN_ANSWERED, SCALE_THRESHOLD, SINGLE_ITEM, SINGLE_ITEM_THRESHOLD
from ..pulse.models import InstrumentKey, PulseAnswer, PulseResponse, PulseRound
from .aggregate_people import rounds_of
from .aggregate_sql import Scope, as_float
from .figures import AGREEMENT_ITEMS, LIKERT, SCALES, ScaleFigures, Wellbeing

MONTHLY_ITEMS = (SINGLE_ITEM.id, *AGREEMENT_ITEMS)
_SCALE_OF_ITEM = {item.id: item.scale.value for item in CBI.items if item.scale is not None}
_REVERSED = tuple(item.id for item in CBI.items if item.reverse)


def _latest(scope: Scope) -> Subquery:
    """Each person's most recent submitted response to each instrument in the quarter."""
    ranked = (
        select(PulseResponse.id.label("response_id"), PulseResponse.respondent_key, PulseResponse.instrument,
               PulseResponse.instrument_version, PulseResponse.language,
               func.row_number().over(partition_by=(PulseResponse.respondent_key, PulseResponse.instrument),
                                      order_by=(PulseRound.month.desc(), PulseRound.id.desc())).label("position"))
        .join(PulseRound, PulseRound.id == PulseResponse.round_id)
        .where(PulseResponse.submitted.is_(True), *rounds_of(scope))
    ).subquery("ranked")
    return select(ranked).where(ranked.c.position == 1).subquery("latest")


def _monthly_counts(latest: Subquery) -> dict[str, dict[str, int]]:
    """MONTHLY_ITEMS → LIKERT → people, zero included: one grouped query."""
    counts = {item: dict.fromkeys(LIKERT, 0) for item in MONTHLY_ITEMS}
    rows = db.session.execute(
        select(PulseAnswer.item, PulseAnswer.value, func.count())
        .join(latest, latest.c.response_id == PulseAnswer.response_id)
        .where(latest.c.instrument == InstrumentKey.monthly, PulseAnswer.item.in_(MONTHLY_ITEMS))
        .group_by(PulseAnswer.item, PulseAnswer.value))
    for item, value, people in rows:
        if str(value) in counts[item]:
            counts[item][str(value)] = people
    return counts


def _scales(latest: Subquery) -> dict[str, ScaleFigures]:
    """SCALES → figures, in one query: points per answer, then per response and scale, then per
    scale over the responses that answered enough of its items."""
    points = (
        select(latest.c.response_id,
               case(_SCALE_OF_ITEM, value=PulseAnswer.item).label("scale"),
               case((PulseAnswer.item.in_(_REVERSED), 100 - PulseAnswer.value), else_=PulseAnswer.value)
               .label("points"))
        .join(PulseAnswer, PulseAnswer.response_id == latest.c.response_id)
        .where(latest.c.instrument == InstrumentKey.cbi, PulseAnswer.item.in_(tuple(_SCALE_OF_ITEM)))
    ).subquery("points")
    per_response = (
        select(points.c.scale, func.count().label("answered"), func.sum(points.c.points).label("total"))
        .group_by(points.c.response_id, points.c.scale)
    ).subquery("per_response")
    needed = case({scale.value: count for scale, count in MIN_ANSWERED.items()}, value=per_response.c.scale)
    # A score of 50 or more is total / answered >= 50: compared in whole numbers, so no rounding decides it.
    high = func.sum(case((per_response.c.total >= SCALE_THRESHOLD * per_response.c.answered, 1), else_=0))
    rows = db.session.execute(
        select(per_response.c.scale, func.count(),
               func.avg(cast(per_response.c.total, Float) / per_response.c.answered), high)
        .where(per_response.c.answered >= needed)
        .group_by(per_response.c.scale))
    scored = {scale: (count, as_float(mean), int(high_count)) for scale, count, mean, high_count in rows}
    figures = {}
    for scale in SCALES:
        count, mean, high_count = scored.get(scale, (0, None, 0))
        figures[scale] = ScaleFigures(scored=count, mean=mean,
                                      bands={"under_50": count - high_count, "50_or_more": high_count})
    return figures


def wellbeing(scope: Scope) -> Wellbeing:
    """Five queries whatever the number of responses: the monthly distributions, the CBI scales, the
    respondents by instrument and version, those in Welsh, and the respondent keys."""
    latest = _latest(scope)
    monthly = _monthly_counts(latest)
    scales = _scales(latest)
    by_version = db.session.execute(
        select(latest.c.instrument, latest.c.instrument_version, func.count())
        .group_by(latest.c.instrument, latest.c.instrument_version)).all()
    respondents = {key: 0 for key in InstrumentKey}
    for instrument, _version, people in by_version:
        respondents[instrument] += people
    welsh = db.session.scalar(
        select(func.count(distinct(case((latest.c.language == "cy", latest.c.respondent_key)))))) or 0
    # Everyone with a submitted response has a latest one: no need to rank them again.
    keys = frozenset(db.session.scalars(
        select(PulseResponse.respondent_key).distinct().join(PulseRound, PulseRound.id == PulseResponse.round_id)
        .where(PulseResponse.submitted.is_(True), *rounds_of(scope))))
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
        respondent_keys=keys,
    )
