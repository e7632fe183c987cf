"""The survey instruments as data: item texts, response formats, scales and citations, exactly as
published (see ../shared/instruments.md). Only "clients" is replaced, by "the people you support",
in the client-related scale of the CBI, as the instrument's users document.

A change of wording is a new version: every response stores the version it was answered in.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class Format(str, enum.Enum):
    single = "single"  # the single-item burnout measure, 1 to 5
    frequency = "frequency"  # CBI "F": Always (100) … Never or almost never (0)
    degree = "degree"  # CBI "D": To a very high degree (100) … To a very low degree (0)
    agree = "agree"  # Cwtch's own questions: Strongly disagree (1) … Strongly agree (5)


class Scale(str, enum.Enum):
    personal = "personal"
    work = "work"
    client = "client"


@dataclass(frozen=True)
class Option:
    value: int  # what is stored: the published points (CBI) or the published value (1 to 5)
    label: object  # a lazy string


@dataclass(frozen=True)
class Item:
    id: str
    text: object  # a lazy string, translated for display; the English is shown beside it on request
    format: Format
    scale: Scale | None = None
    reverse: bool = False  # W7: Always scores 0 … Never scores 100


@dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    title: object
    items: tuple[Item, ...]  # in the order they are shown
    has_comment: bool = False

    def item(self, item_id: str) -> Item:
        return ITEMS_BY_ID[self.key][item_id]

    def scale_items(self, scale: Scale) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scale == scale)

    @property
    def item_ids(self) -> frozenset[str]:
        return frozenset(i.id for i in self.items)


OPTIONS: dict[Format, tuple[Option, ...]] = {
    Format.single: (
        Option(1, _l("I enjoy my work. I have no symptoms of burnout.")),
        Option(2, _l("Occasionally I am under stress, and I don't always have as much energy as I once did, "
                     "but I don't feel burned out.")),
        Option(3, _l("I am definitely burning out and have one or more symptoms of burnout, such as physical "
                     "and emotional exhaustion.")),
        Option(4, _l("The symptoms of burnout that I'm experiencing won't go away. I think about frustration "
                     "at work a lot.")),
        Option(5, _l("I feel completely burned out and often wonder if I can go on. I am at the point where I "
                     "may need some changes or may need to seek some sort of help.")),
    ),
    Format.frequency: (
        Option(100, _l("Always")),
        Option(75, _l("Often")),
        Option(50, _l("Sometimes")),
        Option(25, _l("Seldom")),
        Option(0, _l("Never or almost never")),
    ),
    Format.degree: (
        Option(100, _l("To a very high degree")),
        Option(75, _l("To a high degree")),
        Option(50, _l("Somewhat")),
        Option(25, _l("To a low degree")),
        Option(0, _l("To a very low degree")),
    ),
    Format.agree: (
        Option(1, _l("Strongly disagree")),
        Option(2, _l("Disagree")),
        Option(3, _l("Neither agree nor disagree")),
        Option(4, _l("Agree")),
        Option(5, _l("Strongly agree")),
    ),
}

SINGLE_ITEM = Item("B1", _l("Overall, based on your definition of burnout, how would you rate your level of burnout?"),
                   Format.single)

_CWTCH_ITEMS = (
    Item("S1", _l("In the last month I had supervision that helped me."), Format.agree),
    Item("S2", _l("I know who to talk to after a difficult case."), Format.agree),
    Item("S3", _l("I feel supported by my employer."), Format.agree),
)

F, D = Format.frequency, Format.degree
P, W, C = Scale.personal, Scale.work, Scale.client
_PERSONAL = (
    Item("P1", _l("How often do you feel tired?"), F, P),
    Item("P2", _l("How often are you physically exhausted?"), F, P),
    Item("P3", _l("How often are you emotionally exhausted?"), F, P),
    Item("P4", _l("How often do you think: \"I can't take it anymore\"?"), F, P),
    Item("P5", _l("How often do you feel worn out?"), F, P),
    Item("P6", _l("How often do you feel weak and susceptible to illness?"), F, P),
)
_WORK = (
    Item("W1", _l("Is your work emotionally exhausting?"), D, W),
    Item("W2", _l("Do you feel burnt out because of your work?"), D, W),
    Item("W3", _l("Does your work frustrate you?"), D, W),
    Item("W4", _l("Do you feel worn out at the end of the working day?"), F, W),
    Item("W5", _l("Are you exhausted in the morning at the thought of another day at work?"), F, W),
    Item("W6", _l("Do you feel that every working hour is tiring for you?"), F, W),
    Item("W7", _l("Do you have enough energy for family and friends during leisure time?"), F, W, reverse=True),
)
_CLIENT = (
    Item("C1", _l("Do you find it hard to work with the people you support?"), D, C),
    Item("C2", _l("Do you find it frustrating to work with the people you support?"), D, C),
    Item("C3", _l("Does it drain your energy to work with the people you support?"), D, C),
    Item("C4", _l("Do you feel that you give more than you get back when you work with the people you support?"),
         D, C),
    Item("C5", _l("Are you tired of working with the people you support?"), F, C),
    Item("C6", _l("Do you sometimes wonder how long you will be able to continue working with the people you "
                  "support?"), F, C),
)


def _mixed(*scales: tuple[Item, ...]) -> tuple[Item, ...]:
    """The authors recommend mixing the scales: take one item from each in turn."""
    mixed: list[Item] = []
    for position in range(max(len(s) for s in scales)):
        mixed.extend(s[position] for s in scales if position < len(s))
    return tuple(mixed)


MONTHLY = Instrument("monthly", "1", _l("Monthly wellbeing pulse"), (SINGLE_ITEM, *_CWTCH_ITEMS), has_comment=True)
CBI = Instrument("cbi", "1", _l("Quarterly Copenhagen Burnout Inventory"), _mixed(_PERSONAL, _WORK, _CLIENT))
INSTRUMENTS = {i.key: i for i in (MONTHLY, CBI)}
ITEMS_BY_ID = {i.key: {item.id: item for item in i.items} for i in (MONTHLY, CBI)}

# A scale score needs at least this many of its items answered.
MIN_ANSWERED = {Scale.personal: 3, Scale.work: 4, Scale.client: 3}
# A single-item value of this or more is "burning out"; a CBI scale score of this or more is
# "moderate or higher burnout" (a research convention, not a diagnosis).
SINGLE_ITEM_THRESHOLD = 3
SCALE_THRESHOLD = 50

SCALE_LABELS = {
    Scale.personal: _l("Personal burnout"),
    Scale.work: _l("Work-related burnout"),
    Scale.client: _l("Burnout related to the people you support"),
}

# Bibliographic references, shown as published in both languages.
CITATIONS = {
    "monthly": (
        "Rohland, Kruse & Rohrer (2004), Stress and Health 20:75–79.",
        "Dolan et al. (2015), J Gen Intern Med 30(5):582–587.",
    ),
    "cbi": (
        "Kristensen, Borritz, Villadsen & Christensen (2005), Work & Stress 19(3):192–207.",
    ),
}
THRESHOLD_CITATION = "Creedy et al. (2017)"


def options_for(item: Item) -> tuple[Option, ...]:
    return OPTIONS[item.format]


def allowed_values(item: Item) -> frozenset[int]:
    return frozenset(o.value for o in OPTIONS[item.format])
