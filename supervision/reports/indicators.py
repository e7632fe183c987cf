"""Red, amber and green indicators against the organisation's standards, and the "What Care for the
Carer recommends" panel they lead to: pure functions over a PublishedReport.

The thresholds are plain and fixed, and the method notes repeat them:
- supervision: link workers who met the supervision standard at the end of the quarter's last
  month: green at 90% or more, amber at 75% or more, red below;
- debriefs: requests accepted within the target time: green at 90%, amber at 75%;
- burnout: the share burning out (3 or more on the single item) against the national share:
  green at or below it, amber up to 10 percentage points above it, red beyond;
- participation: people who answered of those invited: green at 60%, amber at 40%;
- reflection: link workers who wrote at least one reflection: green at 50%, amber at 25%.

A hidden figure (or a national one the comparison needs) gives "not shown", with no colour, and
triggers no recommendation: nothing is guessed about a figure that is not published. Colour is
never the only signal: every status has its own words.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..pulse.instruments import SCALE_THRESHOLD
from .figures import SCALES
from .published import NATIONAL, PublishedReport


class Status(str, enum.Enum):
    on_track = "on_track"  # green
    needs_attention = "needs_attention"  # amber
    below_standard = "below_standard"  # red
    not_shown = "not_shown"  # no colour: the figure is hidden


STATUS_LABEL = {
    Status.on_track: _l("On track"),
    Status.needs_attention: _l("Needs attention"),
    Status.below_standard: _l("Below standard"),
    Status.not_shown: _l("Not shown"),
}
# GOV.UK tag colours; the status's words are always shown inside the tag.
STATUS_TAG = {
    Status.on_track: "govuk-tag--green",
    Status.needs_attention: "govuk-tag--yellow",
    Status.below_standard: "govuk-tag--red",
    Status.not_shown: "govuk-tag--grey",
}

# (green at or above, amber at or above), in percent.
SUPERVISION_THRESHOLDS = (90, 75)
DEBRIEF_THRESHOLDS = (90, 75)
PARTICIPATION_THRESHOLDS = (60, 40)
REFLECTION_THRESHOLDS = (50, 25)
# Burnout: amber up to this many percentage points above the national share.
BURNOUT_MARGIN = 10


@dataclass(frozen=True)
class Indicator:
    id: str  # "supervision", "debriefs", "burnout", "participation", "reflection"
    measure: str  # the percent cell it reads
    category: str
    value: float | None  # the organisation's figure; None when hidden
    national: float | None  # the national figure beside it; None when hidden
    status: Status
    label: object  # lazy strings
    rule: object


def _percent(report: PublishedReport, measure: str, category: str = "", *, scope: str = "organisation"
             ) -> float | None:
    if scope == NATIONAL and report.draft:
        return None  # a draft shows no benchmark, not even one stored before drafts stopped carrying it
    try:
        return report.cell(measure, category, "percent", scope=scope).value
    except KeyError:
        return None


def _against(value: float | None, thresholds: tuple[int, int]) -> Status:
    if value is None:
        return Status.not_shown
    green, amber = thresholds
    return Status.on_track if value >= green else Status.needs_attention if value >= amber else Status.below_standard


def burnout_status(value: float | None, national: float | None) -> Status:
    if value is None or national is None:
        return Status.not_shown
    if value <= national:
        return Status.on_track
    return Status.needs_attention if value <= national + BURNOUT_MARGIN else Status.below_standard


def _threshold_indicator(report: PublishedReport, id_: str, measure: str, category: str,
                         thresholds: tuple[int, int], label, rule) -> Indicator:
    value = _percent(report, measure, category)
    return Indicator(id_, measure, category, value, _percent(report, measure, category, scope=NATIONAL),
                     _against(value, thresholds), label, rule)


def indicators(report: PublishedReport) -> tuple[Indicator, ...]:
    """The report's indicators, in the order the summary shows them."""
    value, national = _percent(report, "burning_out"), _percent(report, "burning_out", scope=NATIONAL)
    return (
        _threshold_indicator(
            report, "supervision", "met_standard", "month_3", SUPERVISION_THRESHOLDS,
            _l("Link workers who met the supervision standard at the end of the quarter"),
            _l("On track at %(green)s%% or more, needs attention from %(amber)s%%, below standard under %(amber)s%%.",
               green=90, amber=75)),
        _threshold_indicator(
            report, "debriefs", "accepted_within_target", "", DEBRIEF_THRESHOLDS,
            _l("Debrief requests accepted within the target time"),
            _l("On track at %(green)s%% or more, needs attention from %(amber)s%%, below standard under %(amber)s%%.",
               green=90, amber=75)),
        Indicator("burnout", "burning_out", "", value, national, burnout_status(value, national),
                  _l("Link workers burning out, beside the national benchmark"),
                  _l("On track at or below the national share, needs attention up to 10 percentage points above "
                     "it, below standard beyond that.")),
        _threshold_indicator(
            report, "participation", "participation", "", PARTICIPATION_THRESHOLDS,
            _l("People who answered the surveys they were invited to"),
            _l("On track at %(green)s%% or more, needs attention from %(amber)s%%, below standard under %(amber)s%%.",
               green=60, amber=40)),
        _threshold_indicator(
            report, "reflection", "reflecting", "", REFLECTION_THRESHOLDS,
            _l("Link workers who wrote at least one reflection"),
            _l("On track at %(green)s%% or more, needs attention from %(amber)s%%, below standard under %(amber)s%%.",
               green=50, amber=25)),
    )


# --- What Care for the Carer recommends --------------------------------------------------------------

@dataclass(frozen=True)
class Recommendation:
    id: str
    title: object  # lazy strings
    text: object
    because: tuple[Indicator, ...]  # the indicators that called for it; () for the general one
    high_cbi_scales: tuple[str, ...] = ()  # CBI scales whose mean is at or above the threshold


_RECOMMENDATIONS = {
    "supervision": (
        _l("Regular, protected clinical supervision"),
        _l("Care for the Carer asks employers to make sure every link worker has regular clinical supervision, "
           "one-to-one or in a peer group, in protected time that is not given up when work is busy. Check that "
           "sessions are booked often enough to meet your standard, and that they go ahead."),
    ),
    "wellbeing": (
        _l("Workload and wellbeing support"),
        _l("Care for the Carer asks employers to take burnout seriously: look at caseloads and workload, make sure "
           "link workers know how to reach the employee assistance programme and other support, and keep "
           "checking on burnout regularly."),
    ),
    "debriefs": (
        _l("Timely debriefs after distressing cases"),
        _l("Care for the Carer asks that link workers can talk a distressing case through with someone soon "
           "after it happens. Make sure enough supervisors are available to accept debrief requests within the "
           "target time."),
    ),
    "reflection": (
        _l("Protected time for reflective practice"),
        _l("Care for the Carer asks employers to give link workers protected time to reflect on their own "
           "practice and learn from it, so that reflection is part of the working week, not something left "
           "for later."),
    ),
    "participation": (
        _l("Time to take part in the wellbeing pulse"),
        _l("When fewer people answer, fewer figures can be shown. Give link workers time in working hours to "
           "answer the wellbeing pulse, and remind them that their employer never sees any one person’s "
           "answers."),
    ),
    "general": (
        _l("Keep supervision, debriefs and reflection part of normal working time"),
        _l("Care for the Carer asks employers to keep offering regular clinical supervision, timely debriefs "
           "after distressing cases and protected time for reflective practice, so that no link worker is left "
           "isolated."),
    ),
}
# Which indicator leads to which recommendation.
_LEADS_TO = {"supervision": "supervision", "burnout": "wellbeing", "debriefs": "debriefs",
             "reflection": "reflection", "participation": "participation"}
_CALLS_FOR_ACTION = (Status.needs_attention, Status.below_standard)


def high_cbi_scales(report: PublishedReport) -> tuple[str, ...]:
    """The CBI scales whose published mean is at or above the moderate-burnout threshold."""
    high = []
    for scale in SCALES:
        try:
            mean = report.cell("cbi_mean", scale, "mean").value
        except KeyError:
            continue
        if mean is not None and mean >= SCALE_THRESHOLD:
            high.append(scale)
    return tuple(high)


def recommendations(report: PublishedReport, shown: tuple[Indicator, ...] | None = None
                    ) -> tuple[Recommendation, ...]:
    """Those the figures call for (an amber or red indicator; for wellbeing also a CBI scale mean of
    50 or more), in a fixed order; the general one alone when none is called for."""
    shown = indicators(report) if shown is None else shown
    triggered: dict[str, list[Indicator]] = {}
    for indicator in shown:
        if indicator.status in _CALLS_FOR_ACTION:
            triggered.setdefault(_LEADS_TO[indicator.id], []).append(indicator)
    high = high_cbi_scales(report)
    if high:
        triggered.setdefault("wellbeing", [])
    chosen = [Recommendation(key, *_RECOMMENDATIONS[key], because=tuple(triggered[key]),
                             high_cbi_scales=high if key == "wellbeing" else ())
              for key in _RECOMMENDATIONS if key in triggered]
    return tuple(chosen) or (Recommendation("general", *_RECOMMENDATIONS["general"], because=()),)
