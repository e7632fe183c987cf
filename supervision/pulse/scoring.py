"""Scoring, as the instruments' authors publish it. Pure functions: no database, no request.

- The single item: a value of 3 or more is "burning out".
- A CBI scale score is the mean of its answered items (0 to 100), W7 reversed, and only when
  enough of its items are answered (3 of 6, 4 of 7, 3 of 6). There is no total across scales.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .instruments import (
    CBI,
    MIN_ANSWERED,
    SCALE_THRESHOLD,
    SINGLE_ITEM,
    SINGLE_ITEM_THRESHOLD,
    Instrument,
    Item,
    Scale,
    allowed_values,
)


class InvalidAnswer(ValueError):
    """An item this instrument does not have, or a value its format does not offer."""


@dataclass(frozen=True)
class ScaleScore:
    scale: Scale
    score: float | None  # None when too few items were answered
    answered: int
    needed: int
    total: int

    @property
    def scored(self) -> bool:
        return self.score is not None

    @property
    def high(self) -> bool:
        """"Moderate or higher burnout" by the common research convention; never a diagnosis."""
        return self.score is not None and self.score >= SCALE_THRESHOLD


def check_answers(instrument: Instrument, answers: Mapping[str, int]) -> None:
    for item_id, value in answers.items():
        if item_id not in instrument.item_ids:
            raise InvalidAnswer(item_id)
        if value not in allowed_values(instrument.item(item_id)):
            raise InvalidAnswer(f"{item_id}={value}")


def item_points(item: Item, value: int) -> int:
    """The points an answer scores: the published key, reversed for W7."""
    return 100 - value if item.reverse else value


def scale_score(scale: Scale, answers: Mapping[str, int], instrument: Instrument = CBI) -> ScaleScore:
    items = instrument.scale_items(scale)
    points = [item_points(item, answers[item.id]) for item in items if answers.get(item.id) is not None]
    needed = MIN_ANSWERED[scale]
    score = sum(points) / len(points) if len(points) >= needed else None
    return ScaleScore(scale, score, len(points), needed, len(items))


def cbi_scores(answers: Mapping[str, int]) -> dict[Scale, ScaleScore]:
    return {scale: scale_score(scale, answers) for scale in Scale}


def burning_out(value: int | None) -> bool | None:
    """The single item's rule; None when it was not answered."""
    if value is None:
        return None
    return value >= SINGLE_ITEM_THRESHOLD


def needs_support(instrument: Instrument, answers: Mapping[str, int]) -> bool:
    """Whether to offer support at once: the single item at 3 or more, or any CBI scale at 50 or more."""
    if instrument.key == "monthly":
        return bool(burning_out(answers.get(SINGLE_ITEM.id)))
    return any(s.high for s in cbi_scores(answers).values())
