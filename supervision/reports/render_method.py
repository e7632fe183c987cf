"""A report's method and privacy notes (DESIGN.md, rule 9): the value of k and the rules, which
figures were hidden and why, grouped and named as briefly as is still exact, the note on answers
given in Welsh, the instruments' versions and citations, and each indicator's thresholds.

Call inside the report's language: labels are resolved here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..pulse.instruments import CITATIONS, THRESHOLD_CITATION
from .labels import (BENCHMARK_WHEN_ISSUED, MEASURE, SCOPE, category_short_label, instrument_version_label,
                     quarter_label, reason_text, shows_benchmark, threshold_note)
from .published import MEASURES, MEASURES_BY_ID, NATIONAL, ORGANISATION, PublishedReport


@dataclass(frozen=True)
class HiddenGroup:
    """Figures hidden for one reason, in one scope and quarter, named by label."""
    scope: str
    quarter: str
    reason: str
    figures: tuple[str, ...]


@dataclass(frozen=True)
class MethodNotes:
    k: int
    rules: tuple[str, ...]
    hidden: tuple[HiddenGroup, ...]
    welsh: str | None
    instruments: tuple[str, ...]
    citations: tuple[tuple[str, str], ...]  # (instrument, reference)
    indicator_rules: tuple[tuple[str, str], ...]  # (indicator, its thresholds)


def _hidden_names(report: PublishedReport, cells) -> tuple[str, ...]:
    """The hidden cells of one group, named as briefly as is still exact: every figure, every survey
    figure, or each measure (with its hidden categories when only some are hidden)."""
    scope, quarter = cells[0].scope, cells[0].quarter
    every = [cell for cell in report.cells if (cell.scope, cell.quarter) == (scope, quarter)]
    if len(cells) == len(every):
        return (_("Every figure for this quarter"),)
    by_measure: dict[str, dict[str, None]] = {}
    for cell in cells:
        by_measure.setdefault(cell.measure, {}).setdefault(cell.category, None)
    names = []
    survey = [measure.id for measure in MEASURES if measure.survey]
    if all(set(by_measure.get(measure, ())) == set(MEASURES_BY_ID[measure].categories) for measure in survey):
        names.append(_("Every figure from survey answers"))
        by_measure = {measure: categories for measure, categories in by_measure.items() if measure not in survey}
    for measure, categories in by_measure.items():
        name = str(MEASURE[measure])
        if set(categories) != set(MEASURES_BY_ID[measure].categories):
            name = _("%(measure)s – %(category)s", measure=name,
                     category="; ".join(category_short_label(measure, category) for category in categories))
        names.append(name)
    return tuple(names)


def _hidden_groups(report: PublishedReport) -> tuple[HiddenGroup, ...]:
    # Grouped by the words shown, not only the reason: a hidden median time reads differently from
    # a hidden count with the same reason.
    groups: dict[tuple, list] = {}
    benchmark = shows_benchmark(report)
    for cell in report.suppressed_cells():
        if cell.scope == NATIONAL and not benchmark:
            continue  # a draft stored with national cells: the draft shows none of them
        words = reason_text(cell.reason, report.k, cell.kind)
        groups.setdefault((cell.scope, cell.quarter, cell.reason, words), []).append(cell)
    order = {quarter: position for position, quarter in enumerate((report.quarter, *reversed(report.previous_quarters)))}
    keys = sorted(groups, key=lambda key: (key[0] != ORGANISATION, order.get(key[1], 99), key[2].value, key[3]))
    return tuple(HiddenGroup(str(SCOPE[scope]), quarter_label(quarter), words,
                             _hidden_names(report, groups[(scope, quarter, reason, words)]))
                 for scope, quarter, reason, words in keys)


def _welsh_note(report: PublishedReport) -> str | None:
    """Rule 9's note on answers given in Welsh, which no published version of the instruments validates."""
    parts = []
    for scope, some, maybe in (
            (ORGANISATION, _("Some of your organisation’s answers were given in Welsh."),
             _("Your organisation’s answers may include some given in Welsh.")),
            (NATIONAL, _("Some of the national benchmark’s answers were given in Welsh."),
             _("The national benchmark may include answers given in Welsh."))):
        if scope == NATIONAL and not shows_benchmark(report):
            continue  # a draft shows no benchmark, even one stored with it
        try:
            cell = report.cell("welsh_respondents", scope=scope)
        except KeyError:
            continue
        if cell.suppressed:
            parts.append(maybe)
        elif cell.value:
            parts.append(some)
    if not parts:
        return None
    parts.append(_("There is no published Welsh version of the burnout question or the Copenhagen Burnout "
                   "Inventory: answers given in Welsh are to an unvalidated translation."))
    return " ".join(parts)


def method_notes(report: PublishedReport, shown) -> MethodNotes:
    k = report.k
    rules = [
        _("A figure from survey answers is shown only when at least %(k)s people stand behind it. This report’s "
          "threshold is %(k)s: an organisation may raise it, never lower it.", k=k),
        _("A count from 1 to 7 is shown as *. Other counts are rounded to the nearest 5, and percentages are "
          "worked out from the rounded counts, so they may not add up to exactly 100%."),
        _("Where one figure is hidden, others may be hidden too, so that it cannot be worked out from a total, "
          "from the other figures beside it or from the national benchmark."),
        _("No figure shows %(none)s or %(all)s of people giving a survey answer or in a burnout band, because "
          "that would tell you how every one of them answered.", none="0%", all="100%"),
        _("A figure is shown beside the same figure for another quarter, here or in another report, only when "
          "each had at least %(k)s people behind it and those people were either the same or differed by at least "
          "%(k)s. Each figure is compared by its own people: those who answered that survey or question, who "
          "booked or attended supervision, who asked for debriefs or who wrote reflections, or the link workers. "
          "Between two versions of the same quarter, someone who answered again, or whose bookings, debriefs or "
          "reflections changed, counts as one of those who differ.", k=k),
        _("An earlier quarter in the trend shows only figures its own report published, exactly as it "
          "published them, even if people have left since or their data has been deleted."),
        _("The national benchmark covers every organisation using Cwtch, in the same quarter. The figures cannot "
          "be filtered or broken down in any other way."),
        _("This report shows nothing finer than the quarter, no free text and no figure about any one person. "
          "Comments written in surveys are never shown to anyone but the person who wrote them."),
        _("In the Copenhagen Burnout Inventory, “clients” is replaced by “the people you support”, as users of "
          "the inventory document."),
        _("%(note)s (%(citation)s)", note=threshold_note(), citation=THRESHOLD_CITATION),
    ]
    if report.draft:
        rules.append(_("This is a draft of the quarter’s whole months so far. Its figures will change before the "
                       "report is issued."))
    if not shows_benchmark(report):
        rules.append(" ".join((
            _("A draft does not show the national benchmark: the national figures of two drafts a month apart "
              "could differ by only a few people, and setting them side by side could reveal those people’s "
              "answers."), str(BENCHMARK_WHEN_ISSUED))))
    citations = tuple((_("Single-item burnout measure"), reference) for reference in CITATIONS["monthly"]) + tuple(
        (_("Copenhagen Burnout Inventory"), reference) for reference in CITATIONS["cbi"])
    return MethodNotes(
        k=k, rules=tuple(rules), hidden=_hidden_groups(report), welsh=_welsh_note(report),
        instruments=tuple(instrument_version_label(version) for version in report.instrument_versions),
        citations=citations,
        indicator_rules=tuple((str(indicator.label), str(indicator.rule)) for indicator in shown))
