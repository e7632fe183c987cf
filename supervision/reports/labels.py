"""What every part of a published report is called, in the reader's language, and how its values
are written: sections, measures, categories, kinds, scopes, quarters and the reasons a figure is hidden.

Category labels reuse the pulse instruments' and the debriefs' own labels, so that a report says
exactly what the link workers were asked and what they chose.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..debriefs.labels import CATEGORY as DEBRIEF_CATEGORY
from ..debriefs.labels import CHECK_IN_ANSWER, URGENCY
from ..debriefs.models import Category, CheckInAnswer, Urgency
from ..pulse.instruments import INSTRUMENTS, ITEMS_BY_ID, OPTIONS, SCALE_LABELS, SCALE_THRESHOLD, Format, Scale
from ..pulse.trend import one_decimal
from .disclosure_national import MINIMUM_ORGANISATIONS
from .published import NATIONAL, ORGANISATION, Cell, PublishedReport, Reason
from .quarters import Quarter

SECTION = {
    "summary": _l("Summary"),
    "people": _l("People and participation"),
    "wellbeing": _l("Wellbeing"),
    "supervision": _l("Supervision"),
    "debriefs": _l("Debriefs after distressing cases"),
    "reflection": _l("Reflective practice"),
    "trends": _l("Trends over the last five quarters"),
}

SCOPE = {
    ORGANISATION: _l("Your organisation"),
    NATIONAL: _l("National benchmark"),
}

# Where a draft's benchmark would be: a draft shows none (aggregate.report_input), so that two drafts
# a month apart never set national figures a handful of people apart side by side.
BENCHMARK_WHEN_ISSUED = _l("The national benchmark is shown when the quarter’s report is issued.")


def shows_benchmark(report: PublishedReport) -> bool:
    """Whether a report shows the national benchmark: an issued one does, a draft never, even one
    stored with national cells before drafts stopped carrying them."""
    return not report.draft


MEASURE = {
    "link_workers": _l("Link workers"),
    "invited": _l("People invited to a survey"),
    "answered": _l("People who answered a survey"),
    "participation": _l("Participation in the surveys"),
    "monthly_respondents": _l("People who answered the monthly pulse"),
    "single_item": _l("Answers to the burnout question"),
    "burning_out": _l("Burning out (an answer of 3 or more to the burnout question)"),
    "cbi_respondents": _l("People who answered the Copenhagen Burnout Inventory"),
    "cbi_mean": _l("Copenhagen Burnout Inventory: mean scale score"),
    "cbi_personal": _l("Personal burnout: people by score"),
    "cbi_work": _l("Work-related burnout: people by score"),
    "cbi_client": _l("Burnout related to the people you support: people by score"),
    "agreement_S1": ITEMS_BY_ID["monthly"]["S1"].text,
    "agreement_S2": ITEMS_BY_ID["monthly"]["S2"].text,
    "agreement_S3": ITEMS_BY_ID["monthly"]["S3"].text,
    "welsh_respondents": _l("People who answered in Welsh"),
    "sessions_held": _l("Supervision sessions held"),
    "people_attending": _l("Link workers who attended supervision"),
    "met_standard": _l("Link workers who met the supervision standard"),
    "cancelled_by_link_worker": _l("Bookings cancelled by the link worker"),
    "cancelled_by_supervisor": _l("Bookings cancelled by the supervisor"),
    "no_shows": _l("Bookings missed (no-shows)"),
    "hours_per_link_worker": _l("Supervision hours per link worker"),
    "requests": _l("Debrief requests"),
    "by_urgency": _l("Debrief requests by urgency"),
    "by_category": _l("Debrief requests by kind of case"),
    "accepted": _l("Debrief requests accepted"),
    "accepted_within_target": _l("Debrief requests accepted within the target time"),
    "minutes_to_accept": _l("Median time to accept a debrief request"),
    "held": _l("Debriefs held"),
    "minutes_to_debrief": _l("Median time from request to debrief"),
    "escalated": _l("Debrief requests escalated"),
    "check_ins": _l("Answers to the check-in after a debrief"),
    "reflecting": _l("Link workers who wrote at least one reflection"),
}

KIND = {
    "count": _l("Number"),
    "percent": _l("Percentage"),
    "mean": _l("Mean score (0 to 100)"),
    "minutes": _l("Median time"),
    "hours": _l("Hours"),
}

SCALE_BAND = {
    "under_50": _l("Under 50"),
    "50_or_more": _l("50 or more (moderate or higher burnout)"),
}

# The supervision standard is checked at the end of each month; a month is never named, so that no
# date finer than the quarter appears in a report.
MONTH = {
    "month_1": _l("First month"),
    "month_2": _l("Second month"),
    "month_3": _l("Third month"),
}

SINGLE_ITEM_ANSWER = {str(option.value): option.label for option in OPTIONS[Format.single]}
AGREEMENT_ANSWER = {str(option.value): option.label for option in OPTIONS[Format.agree]}


def category_label(measure: str, category: str) -> str:
    """The label of one category of a measure; "" for a single figure."""
    if not category:
        return ""
    if measure == "single_item":
        return _("%(value)s: %(statement)s", value=category, statement=SINGLE_ITEM_ANSWER[category])
    if measure.startswith("agreement_"):
        return str(AGREEMENT_ANSWER[category])
    if measure == "cbi_mean":
        return str(SCALE_LABELS[Scale(category)])
    if measure.startswith("cbi_"):
        return str(SCALE_BAND[category])
    if measure == "met_standard":
        return str(MONTH[category])
    if measure == "by_urgency":
        return str(URGENCY[Urgency(category)])
    if measure == "by_category":
        return str(DEBRIEF_CATEGORY[Category(category)])
    if measure == "check_ins":
        return str(CHECK_IN_ANSWER[CheckInAnswer(category)])
    return category


def category_short_label(measure: str, category: str) -> str:
    """As category_label, but the single item's answers by their number alone, for lists."""
    if measure == "single_item":
        return _("answer %(value)s", value=category)
    return category_label(measure, category)


def scope_label(scope: str, organisation_name: str) -> str:
    return organisation_name if scope == ORGANISATION else str(SCOPE[NATIONAL])


def reason_text(reason: Reason, k: int, kind: str = "count") -> str:
    """Why a figure of this kind shows `*`, in words a reader can act on. The reason is the one
    stored; the words may depend on the kind: a median time hidden because the requests it is taken
    over are 1 to 7 inherits their `small_count`, but is not itself a count."""
    if reason == Reason.fewer_than_k:
        return _("Fewer than %(k)s people are behind this figure.", k=k)
    if reason == Reason.small_count and kind == "minutes":
        return _("Too few requests are behind this time: 1 to 7, few enough to point to particular people.")
    if reason == Reason.small_count:
        return _("It is a count from 1 to 7, small enough to point to particular people.")
    if reason == Reason.few_organisations:
        return _("Too few organisations are behind this national figure (fewer than %(organisations)s, or fewer "
                 "than %(k)s people beyond the two largest), so it could reveal one organisation’s figure.",
                 organisations=MINIMUM_ORGANISATIONS, k=k)
    # Reason.uniform is no longer given (rule 4 now hides a whole distribution as complementary),
    # but reports stored before carry it: they read the same neutral words, since saying "everyone,
    # or no one, gave this answer" beside a hidden band would tell what it hides.
    if reason in (Reason.complementary, Reason.uniform):
        return _("Hidden so that another hidden figure cannot be worked out from it.")
    if reason == Reason.comparison:
        return _("Comparing it with the same figure for another quarter, or in an earlier draft, could reveal one "
                 "person: the people behind the two differ by fewer than %(k)s.", k=k)
    return _("There is nothing to work this figure out from.")


def quarter_label(key: str) -> str:
    """"July to September 2026", in the current language. Never anything finer than the quarter."""
    quarter = Quarter.parse(key)
    first, last = date(quarter.year, quarter.months[0], 1), date(quarter.year, quarter.months[2], 1)
    return _("%(first)s to %(last)s %(year)s", first=format_date(first, "MMMM"), last=format_date(last, "MMMM"),
             year=quarter.year)


def quarter_short_label(key: str) -> str:
    """"Jul–Sep 2026", under a chart."""
    quarter = Quarter.parse(key)
    first, last = date(quarter.year, quarter.months[0], 1), date(quarter.year, quarter.months[2], 1)
    return _("%(first)s–%(last)s %(year)s", first=format_date(first, "MMM"), last=format_date(last, "MMM"),
             year=quarter.year)


def instrument_version_label(version: str) -> str:
    """ "cbi 1" → "Quarterly Copenhagen Burnout Inventory, version 1"; unknown text as it is."""
    key, _space, number = version.partition(" ")
    instrument = INSTRUMENTS.get(key)
    if instrument is None or not number:
        return version
    return _("%(instrument)s, version %(version)s", instrument=str(instrument.title), version=number)


# --- values ---------------------------------------------------------------------------------------

def percent_number(value: float) -> str:
    """A percentage as a plain number, to one decimal place, with more places only where rounding
    would turn a share that is neither 0 nor 100 into 0 or 100 (rule 4: never a false uniformity)."""
    for places in range(1, 6):
        text = f"{value:.{places}f}"
        if (0 < value < 100) and float(text) in (0.0, 100.0):
            continue
        return text
    return f"{value:.6f}"


def plain_value(cell: Cell) -> str:
    """A published value as a plain number for a spreadsheet: "*" when hidden."""
    if cell.value is None:
        return "*"
    if cell.kind == "count":
        return str(int(round(cell.value)))
    if cell.kind == "minutes":
        return str(int(round(cell.value)))
    if cell.kind == "percent":
        return percent_number(cell.value)
    return f"{cell.value:.1f}"


def display_percent(value: float) -> str:
    """A whole percentage, except that a share that is neither 0 nor 100 never reads as 0% or 100%."""
    if 0 < value < 0.5:
        return _("less than 1%")
    if 99.5 <= value < 100:
        return _("more than 99%")
    return _("%(number)s%%", number=format_decimal(round(value), "0"))


def display_minutes(minutes: float) -> str:
    """A median time: minutes under an hour, hours and minutes under a day, then days and hours."""
    total = int(round(minutes))
    if total < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", total)
    spent = timedelta(minutes=total)
    days, hours = spent.days, spent.seconds // 3600
    if days == 0:
        rest = spent.seconds // 60 % 60
        text = ngettext("%(num)d hour", "%(num)d hours", hours)
        return text if not rest else _("%(hours)s %(minutes)s", hours=text,
                                       minutes=ngettext("%(num)d minute", "%(num)d minutes", rest))
    text = ngettext("%(num)d day", "%(num)d days", days)
    return text if not hours else _("%(days)s %(hours)s", days=text,
                                    hours=ngettext("%(num)d hour", "%(num)d hours", hours))


def display_value(cell: Cell) -> str:
    """A published value as a reader sees it; "*" when hidden."""
    if cell.value is None:
        return "*"
    if cell.kind == "count":
        return format_decimal(int(round(cell.value)))
    if cell.kind == "percent":
        return display_percent(cell.value)
    if cell.kind == "mean":
        return one_decimal(cell.value)
    if cell.kind == "minutes":
        return display_minutes(cell.value)
    return format_decimal(cell.value, "0.0")


def threshold_note() -> str:
    return _("A scale score of %(threshold)s or more is often called moderate or higher burnout. This is a research "
             "convention, not a diagnosis.", threshold=SCALE_THRESHOLD)
