"""DESIGN.md's disclosure rules 1 to 5 as small pure functions over disclosure_figures' figures."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from .disclosure_figures import BREAKDOWNS, DISTRIBUTIONS, Figure, Ratio
from .published import Reason

Address = tuple[str, str, str, str, str]  # (scope, quarter, measure, category, kind), as a Cell's
Reasons = dict[Address, Reason | None]

# When several reasons apply to a cell, it carries the first of these. Reason.uniform is no longer
# given (see uniform_distributions) but stays in the order for reports stored before.
REASON_ORDER = (Reason.fewer_than_k, Reason.small_count, Reason.few_organisations, Reason.complementary,
                Reason.uniform, Reason.comparison, Reason.no_data)
SMALL = range(1, 8)  # rule 2: counts shown as `*`
_TENTH = Decimal("0.1")


def round_count(count: int) -> int:
    """Rule 2: to the nearest 5, half up (8 → 10, 12 → 10, 13 → 15). Only ever applied to published
    counts, which are 0 or 8 and more, so a published count is never 5: never one from 1 to 7."""
    return 5 * ((count + 2) // 5)


def one_decimal(value: float) -> float:
    return float(Decimal(repr(value)).quantize(_TENTH, rounding=ROUND_HALF_UP))


def percent(numerator: int, denominator: int) -> float:
    """Of two rounded counts, to one decimal place."""
    return float((Decimal(numerator) * 100 / Decimal(denominator)).quantize(_TENTH, rounding=ROUND_HALF_UP))


def first_reason(reasons: Iterable[Reason | None]) -> Reason | None:
    present = [reason for reason in reasons if reason is not None]
    return min(present, key=REASON_ORDER.index) if present else None


def primary_reason(figure: Figure, k: int) -> Reason | None:
    """Rules 1 and 2, which judge a figure on its own; rules 3 to 5 need the others."""
    if figure.average:
        # Nobody behind a mean or median: there is nothing to show, rather than too few people.
        if figure.basis == 0:
            return Reason.no_data
        if figure.basis is not None and figure.basis < k:
            return Reason.fewer_than_k
        return Reason.no_data if figure.raw is None else None
    # A count of 0 behind which rule 1 wants k people is `fewer_than_k` too: saying "no data"
    # would tell the reader that nobody, rather than one to k - 1 people, answered or asked.
    if figure.basis is not None and figure.basis < k:
        return Reason.fewer_than_k
    count = int(figure.raw or 0)
    if count in SMALL:
        return Reason.small_count
    return None


def uniform_distributions(reasons: Reasons, figures: dict[Address, Figure], frames: Sequence[tuple[str, str]]) -> None:
    """Rule 4, in place: a distribution in which any band would show 0% or 100% is suppressed as a
    whole, with its linked figures (burning out for the single item, the mean for a CBI scale).

    Suppressing only the uniform bands would tell what it hides: three `*` beside two published
    bands of the single item say that nobody gave those three answers, and a CBI scale with both
    bands `*` beside a published mean says that everyone is on one side of 50. So the cells get a
    reason that does not say why either: Reason.complementary, which a reader already sees on
    cells hidden only to protect another hidden one (a figure here is hidden so that the bands'
    uniformity cannot be worked out from it). Cells already hidden for another reason keep it, as
    they would in any distribution. Reason.uniform is never given."""
    for scope, quarter in frames:
        for distribution in DISTRIBUTIONS:
            members = [(scope, quarter, measure, category, "count") for measure, category in distribution.members]
            linked = [(scope, quarter, *address) for address in distribution.linked]
            if not any(_uniform_figure(figures[address]) for address in (*members, *linked)):
                continue
            for address in (*members, *linked):
                if reasons[address] is None:
                    reasons[address] = Reason.complementary


def _uniform_figure(figure: Figure) -> bool:
    """Is the figure 0 (where that counts) or all of its total, or would it be shown as 0% or 100%?
    A count from 1 to 7 is never shown (rule 2), so only its raw value matters: 2 of 40 rounds to
    0%, but no one will ever read that 0%, and the `*` already says it is not nobody."""
    if figure.kind != "count" or figure.uniform_total is None:
        return False
    count, total = int(figure.raw or 0), figure.uniform_total
    if count in SMALL:
        return count >= total
    return _uniform(count, total, zero=figure.uniform_zero)


def follow_counts(reasons: Reasons, figures: dict[Address, Figure]) -> bool:
    """In place: a median whose count (the accepted or held requests) is suppressed is suppressed
    for the same reason, as a percentage of a suppressed count is. True when anything changed."""
    changed = False
    for address, figure in figures.items():
        if figure.over is None or reasons[address] is not None:
            continue
        count = reasons[(*address[:2], *figure.over, "count")]
        if count is not None:
            reasons[address] = count
            changed = True
    return changed


def _uniform(count: int, total: int, *, zero: bool) -> bool:
    """Rule 4: would it show none (when that counts) or all of them? Judged on the raw counts and on
    the share as published, since rounding can turn 11 of 12 into "10 of 10", 100%."""
    if total <= 0:
        return False
    if (zero and count == 0) or count >= total:
        return True
    if round_count(total) == 0:
        return False
    share = percent(round_count(count), round_count(total))
    return share >= 100 or (zero and share <= 0)


def ratio_reason(ratio: Ratio, denominator: Figure, numerator_reason: Reason | None,
                 denominator_reason: Reason | None, k: int) -> Reason | None:
    """A percentage is published only when both its counts are (so rules 2 to 5 carry over from
    them, and rule 3's choices hold for the percentages of a breakdown too)."""
    if ratio.basis is not None and ratio.basis < k:
        return Reason.fewer_than_k
    inherited = first_reason((numerator_reason, denominator_reason))
    if inherited is not None:
        return inherited
    return Reason.no_data if round_count(int(denominator.raw or 0)) == 0 else None


def person(key: object) -> object:
    """The person a key stands for: a survey key is (respondent key, response id); any other key
    (a user id, a request) is its own."""
    return key[0] if isinstance(key, tuple) else key


def people_of(keys: frozenset) -> frozenset:
    """The people behind keys, whatever their responses: quarters are compared by who stands behind
    them, since everyone answers afresh each quarter."""
    return frozenset(person(key) for key in keys)


def comparable(one: frozenset, other: frozenset, k: int) -> bool:
    """Rule 5: the same people, or so many different ones that no one person's answers stand out.
    Keys may carry what of each person's stands behind the figure (a response, a request), so two
    tests, each passed by no change or a change of at least k people: the people themselves (one
    newcomer beside four who answered again is still one newcomer), and the people whose part
    changed (one person answering again between two cuts of a quarter is a change of one person)."""
    return all(not changed or len(changed) >= k
               for changed in (people_of(one) ^ people_of(other), people_of(one ^ other)))


def comparable_with_all(current: tuple[int, frozenset], before: Iterable[tuple[int, frozenset]], k: int) -> bool:
    """Rule 5 against figures a reader may already hold: `current` and each of `before` are (figure
    that must meet k, keys). Only those of `before` that met k can have been published to compare
    with; against any of them, the current figures must meet k too (some, such as the count of
    sessions, are published below k when nothing is compared with them) and be comparable."""
    basis, keys = current
    return all(basis >= k and comparable(keys, other, k) for other_basis, other in before if other_basis >= k)


def quarters_shown(current: tuple[int, frozenset] | None, previous: Sequence[tuple[str, int, frozenset]],
                   k: int) -> set[str]:
    """The previous quarters (keys) whose figures may be shown in the trend.

    A trend shows every quarter side by side, so each pair of quarters shown is a comparison, not
    only each quarter against the current one: a quarter joins only when it is comparable with
    every quarter already chosen, newest first (the most recent trend matters most), the current
    quarter first of all. `current` is its (figure that must meet k, keys), or None when rule 5
    withheld its figures (see disclosure._compare_quarters): the earlier quarters are then only
    compared among themselves. Below k, the current quarter's figures may still be published
    (a count of sessions is not judged by rule 1), so no earlier quarter is shown beside them.
    `previous` holds (quarter key, figure that must meet k, keys), newest first."""
    chosen_keys: list[frozenset] = []
    if current is not None:
        basis, keys = current
        if basis < k:
            return set()
        chosen_keys.append(keys)
    shown = set()
    for quarter, quarter_basis, quarter_keys in previous:
        if quarter_basis >= k and all(comparable(quarter_keys, other, k) for other in chosen_keys):
            chosen_keys.append(quarter_keys)
            shown.add(quarter)
    return shown


def complement(reasons: Reasons, figures: dict[Address, Figure], frames: Sequence[tuple[str, str]],
               national_pairs: Sequence[tuple[Address, Address]], k: int, *, single_organisation: bool) -> None:
    """Rule 3, in place, until nothing changes (each pass only suppresses more, so it ends).

    Within a breakdown whose total a reader knows (a published total, or the members' percentages,
    which share a published denominator), one lone `*` is the total minus the others: so the
    smallest other figure is suppressed too. Against the national benchmark, a suppressed figure of
    the organisation is the national one minus everyone else's; when everyone else together is
    fewer than k (or there is nobody else), the national figure would give it away and goes too.
    A national figure suppressed this way can leave a lone `*` in a national breakdown, and a
    figure suppressed in one breakdown can leave one in an overlapping breakdown (single_item and
    burning_out), hence the repeat."""
    changed = True
    while changed:
        changed = False
        for scope, quarter in frames:
            for breakdown in BREAKDOWNS:
                members = [(scope, quarter, measure, category, "count") for measure, category in breakdown.members]
                suppressed = [address for address in members if reasons[address] is not None]
                totals = [(scope, quarter, measure, category, "count") for measure, category in breakdown.totals]
                if len(suppressed) != 1 or all(reasons[total] is not None for total in totals):
                    continue
                published = [address for address in members if reasons[address] is None]
                # The smallest non-zero one: a suppressed 0 beside a `*` would be easy to guess.
                target = min(published, key=lambda a: (figures[a].raw == 0, figures[a].raw, members.index(a)))
                reasons[target] = Reason.complementary
                changed = True
        for organisation, national in national_pairs:
            if reasons[organisation] is None or reasons[national] is not None:
                continue
            others = _contribution(figures[national]) - _contribution(figures[organisation])
            if single_organisation or others < k:
                reasons[national] = Reason.complementary
                changed = True


def _contribution(figure: Figure) -> float:
    """What a scope puts into a figure: the people behind an average, or the count itself."""
    return (figure.basis or 0) if figure.average else (figure.raw or 0)
