"""Stage 1's output and stage 2's input: one quarter's raw aggregates for one organisation, or for
every organisation (the national benchmark). Counts, sums, means and medians only: no id, no
name, no text, no date finer than the quarter, no row per person.

Some fields hold sets of opaque keys, `people_keys` and the survey's `*_keys`. They exist only so that
stage 2 can apply the comparison rule between quarters (DESIGN.md rule 5). They never leave the
server: no page, PDF, CSV, log or stored report may carry them, so they are left out of repr.

Every dict has every category of its fixed breakdown, zero included (DESIGN.md rule 6).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .quarters import Quarter

if TYPE_CHECKING:  # both modules import this one
    from .disclosure_figures import Kept
    from .published import Cell, CellKey

LIKERT = ("1", "2", "3", "4", "5")  # the single item's and S1–S3's answers, as category keys
SCALES = ("personal", "work", "client")  # the CBI scales (pulse.instruments.Scale values)
SCALE_BANDS = ("under_50", "50_or_more")  # CBI scale score bands; 50 or more: moderate or higher burnout
SINGLE_ITEM_ID = "B1"  # the single burnout item (pulse.instruments.SINGLE_ITEM; checked in aggregate_wellbeing)
AGREEMENT_ITEMS = ("S1", "S2", "S3")
URGENCIES = ("today", "three_days", "this_week")  # debriefs.models.Urgency values
CATEGORIES = ("client_death", "safeguarding", "aggression", "disclosure", "suicide_concern", "other")
CHECK_IN_ANSWERS = ("better", "same", "worse")  # debriefs.models.CheckInAnswer values


# Rule 5's opaque keys: (a person, what of theirs stands behind the figure), e.g. (respondent key,
# response id) or (requester, request). Quarters are compared by the people (disclosure_rules.people_of);
# the cuts of one quarter by the pairs too, as the people whose part changed.
PersonKey = tuple[str, str]


@dataclass(frozen=True)
class People:
    # Link workers with a link-worker membership of the organisation that began before the
    # quarter ended, whose account is active (the headcount the other figures are shared among).
    link_workers: int
    invited: int  # distinct people invited to any survey round of the quarter
    answered: int  # distinct people who submitted at least one survey response in the quarter
    # Opaque keys of the link workers counted in `link_workers` (user ids): rule 5 only.
    people_keys: frozenset[int] = field(repr=False)  # an organisation's only; empty nationally


@dataclass(frozen=True)
class ScaleFigures:
    """One CBI scale, over each respondent's most recent CBI response in the quarter that scored it."""

    scored: int  # people whose answers scored this scale
    mean: float | None  # 0–100; None when nobody's did
    bands: dict[str, int]  # SCALE_BANDS → people


@dataclass(frozen=True)
class Wellbeing:
    """Survey figures. Each person counts once per instrument: their most recent submitted
    response to it in the quarter stands for them, so every count here is a count of people."""

    monthly_respondents: int  # people behind the monthly pulse figures
    single_item: dict[str, int]  # LIKERT → people who gave that answer to the single burnout item
    burning_out: int  # people whose single-item answer was 3 or more
    agreement: dict[str, dict[str, int]]  # AGREEMENT_ITEMS → LIKERT → people
    cbi_respondents: int  # people behind the CBI figures
    scales: dict[str, ScaleFigures]  # SCALES → figures
    welsh_respondents: int  # people whose responses behind these figures were in Welsh
    instrument_versions: tuple[str, ...]  # e.g. ("cbi 1", "monthly 1")
    # Opaque keys, rule 5 only, each (pulse respondent key, response id) for the person's latest
    # response behind the figure: each figure is compared by the people behind it, so that a change
    # among the CBI's respondents is never hidden in, or blamed on, the monthly pulse's; and within a
    # quarter by their responses too, so that someone answering again between two drafts shows as a
    # change. Only an organisation's figures carry them: the national benchmark is never compared.
    monthly_keys: frozenset[PersonKey] = field(repr=False)  # the monthly pulse's respondents
    item_keys: dict[str, frozenset[PersonKey]] = field(repr=False)  # monthly items → those who answered it
    cbi_keys: frozenset[PersonKey] = field(repr=False)  # the CBI's respondents
    scale_keys: dict[str, frozenset[PersonKey]] = field(repr=False)  # SCALES → those whose answers scored it

    @property
    def respondent_keys(self) -> frozenset[PersonKey]:
        """Everyone behind these figures: those who answered, and the Welsh count, are of them all."""
        return self.monthly_keys | self.cbi_keys


@dataclass(frozen=True)
class MonthStandard:
    """The supervision standard at the end of one month of the quarter."""

    month: int  # 1 to 12
    link_workers: int  # link workers at that moment
    met: int  # of them, those who attended a session within the standard's days before it


@dataclass(frozen=True)
class Supervision:
    sessions_held: int  # sessions in the quarter, not cancelled, with at least one attendance
    people_attending: int  # distinct link workers who attended at least one session
    months: tuple[MonthStandard, MonthStandard, MonthStandard]
    cancelled_by_link_worker: int  # bookings cancelled by the link worker
    cancelled_by_supervisor: int  # bookings cancelled by the supervisor, or sessions they cancelled
    no_shows: int  # bookings marked as a no-show
    attended_hours: float  # sum over attended bookings of the session's length, in hours
    standard_days: int  # the organisation's standard (national: the most common standard)
    # Opaque keys, rule 5 only, each (link worker, booking id): each figure is compared across
    # quarters by the link workers behind it, and across cuts of a quarter by their bookings too,
    # whose set changes within a quarter where the headcount hardly does: one more session attended,
    # or one more no-show, by someone already counted is a change of that one person. Empty
    # nationally: never compared. The months' standard is counted at fixed month ends, by the headcount.
    attended_keys: frozenset[PersonKey] = field(repr=False)  # attended bookings of active sessions
    cancelled_keys: frozenset[PersonKey] = field(repr=False)  # cancelled bookings, by either side
    no_show_keys: frozenset[PersonKey] = field(repr=False)  # bookings marked as a no-show


@dataclass(frozen=True)
class Debriefs:
    """Debrief requests made in the quarter."""

    requests: int
    requesters: int  # distinct link workers behind the requests (rule 1's "people")
    by_urgency: dict[str, int]  # URGENCIES → requests
    by_category: dict[str, int]  # CATEGORIES → requests
    accepted: int
    accepted_within_target: int
    minutes_to_accept_median: float | None  # over accepted requests; None when none was
    held: int  # requests whose debrief took place (completed)
    minutes_to_debrief_median: float | None  # request → the debrief (session start, or when recorded)
    escalated: int
    check_ins: dict[str, int]  # CHECK_IN_ANSWERS → answered check-ins of these requests
    check_in_people: int  # distinct link workers behind those answers
    # Opaque keys, rule 5 only, each (requester, request id): each figure is compared across
    # quarters by the requesters behind it, and across cuts of a quarter by their requests too,
    # whose set changes within a quarter where the people's hardly does: one more request by
    # someone who already asked, or one more accepted, is a change of that one person. Every state
    # is as at the cut-off (aggregate_debriefs). Empty nationally: never compared.
    request_keys: frozenset[PersonKey] = field(repr=False)  # the requests made
    accepted_keys: frozenset[PersonKey] = field(repr=False)  # of them, those accepted before the cut-off
    held_keys: frozenset[PersonKey] = field(repr=False)  # those whose debrief was completed before it
    escalated_keys: frozenset[PersonKey] = field(repr=False)  # those escalated before it
    check_in_keys: frozenset[PersonKey] = field(repr=False)  # the answered check-ins: "check-in id:answer"


@dataclass(frozen=True)
class Reflection:
    link_workers_reflecting: int  # link workers (of the headcount) who wrote at least one reflection
    # Opaque keys, rule 5 only, each (author, reflection id) of the reflections counted: compared
    # across quarters by the authors, and across cuts of a quarter by their reflections too (one more
    # reflection by someone already reflecting is a change of that one person). Empty nationally.
    reflection_keys: frozenset[PersonKey] = field(repr=False)


@dataclass(frozen=True)
class Contribution:
    """How the people of one basis (those who must meet k) are spread over the organisations, as
    far as the national rule needs it: no organisation is named, only the sizes. Server-only, as
    the keys are: no report carries them."""

    organisations: int  # organisations bringing at least one person
    largest: int  # the people the largest contributor brings
    second: int  # the people the second largest brings (0 when fewer than two bring anyone)


@dataclass(frozen=True)
class Contributions:
    """The national benchmark only: each basis's contributions per organisation (DESIGN.md rule 3
    between organisations; see disclosure_national). A person in two organisations counts in both."""

    link_workers: Contribution  # the headcount
    answered: Contribution  # people with a submitted response to either instrument
    monthly: Contribution  # the monthly pulse's respondents
    cbi: Contribution  # the CBI's respondents, also the bound of each scale's scored people
    attending: Contribution  # link workers who attended supervision
    # Link workers with a booking of the quarter's sessions, whatever came of it: the people behind
    # the cancellations and no-shows, of whom those attending are only some.
    bookers: Contribution
    requesters: Contribution  # link workers behind debrief requests
    check_in_people: Contribution  # link workers behind answered check-ins
    # The bookers' exact national number, counted beside the contributions since no figure counts
    # them (every other basis's is a figure's own). 0, if ever left out, hides what it would judge.
    bookers_nationally: int = 0


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    organisation_id: int | None  # None: the national benchmark, every organisation
    organisations: int  # organisations in the scope: 1, or every organisation nationally
    people: People
    wellbeing: Wellbeing
    supervision: Supervision
    debriefs: Debriefs
    reflection: Reflection
    # Nationally, how each basis is spread over the organisations; None for one organisation's.
    contributions: Contributions | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ReportInput:
    """Everything stage 2 needs for one organisation's report."""

    organisation: QuarterFigures  # the quarter reported on
    # The same quarter, every organisation. None in a draft, which shows no benchmark: the national
    # figures of two drafts a month apart are never compared (rule 5), and could differ by one person.
    national: QuarterFigures | None
    previous: tuple[QuarterFigures, ...]  # the organisation's 4 quarters before it, oldest first
    k: int  # the organisation's report_k, never below 5
    draft: bool  # True: the quarter so far, regenerated by an admin; not final
    # The same quarter of the organisation cut off at earlier month ends: figures an admin may have
    # seen in drafts. Compared with (rule 5), never shown.
    earlier_cuts: tuple[QuarterFigures, ...] = ()
    # What each earlier quarter's own issued report published: quarter key → its cells of its own
    # figures by (measure, category, kind), each shown or withheld with its reason. A trend shows
    # them as they are; a quarter missing here had no issued report. None: not known (an input
    # built by hand), and the trend is worked out from the figures and judged on the keys alone.
    published_before: dict[str, dict[CellKey, Cell]] | None = field(default=None, repr=False)
    # The keys and bases each earlier quarter's issued report kept (QuarterlyReport.comparison_keys):
    # quarter key → Kept, or None when they were sealed with another secret and cannot be compared.
    # Rule 5 compares with them rather than with the quarter worked out again today, which may
    # have lost someone since.
    keys_before: dict[str, Kept | None] | None = field(default=None, repr=False)
    # The keys the quarter's stored draft kept, the figures its admins saw (None: sealed with another
    # secret). Compared with like the earlier cuts, but as they were, not as worked out again today.
    seen_drafts: tuple[Kept | None, ...] = field(default=(), repr=False)
    # The drafts of the earlier quarters their admins saw, as those quarters' issued reports carried
    # them on: compared with like the earlier quarters, by their people.
    drafts_before: tuple[Kept | None, ...] = field(default=(), repr=False)
