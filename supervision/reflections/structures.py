"""The reflective structures, their guided prompts, the built-in themes and the feeling scale.

Each section has a stable key: it names the text in the encrypted `sections` JSON, so the
wording of a prompt may change without touching stored reflections.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


class Structure(str, enum.Enum):
    gibbs = "gibbs"
    driscoll = "driscoll"
    free = "free"


@dataclass(frozen=True)
class Section:
    key: str
    label: LazyString
    hint: LazyString


STRUCTURE_LABELS: dict[Structure, LazyString] = {
    Structure.gibbs: _l("Gibbs reflective cycle"),
    Structure.driscoll: _l("Driscoll: What? So what? Now what?"),
    Structure.free: _l("Free text"),
}

STRUCTURE_HINTS: dict[Structure, LazyString] = {
    Structure.gibbs: _l("Six steps, from what happened to what you would do next time."),
    Structure.driscoll: _l("Three short questions. Good for a quick reflection."),
    Structure.free: _l("Write in your own way."),
}

SECTIONS: dict[Structure, tuple[Section, ...]] = {
    Structure.gibbs: (
        Section("description", _l("Description"), _l("What happened? Keep it brief and leave out anything that could identify the person you support.")),
        Section("feelings", _l("Feelings"), _l("What were you thinking and feeling at the time?")),
        Section("evaluation", _l("Evaluation"), _l("What was good and what was difficult about the experience?")),
        Section("analysis", _l("Analysis"), _l("What sense can you make of it? What helped or got in the way?")),
        Section("conclusion", _l("Conclusion"), _l("What else could you have done?")),
        Section("action_plan", _l("Action plan"), _l("If it happened again, what would you do?")),
    ),
    Structure.driscoll: (
        Section("what", _l("What?"), _l("What happened, and what was your part in it?")),
        Section("so_what", _l("So what?"), _l("What did it mean for you, and what have you learned?")),
        Section("now_what", _l("Now what?"), _l("What will you do differently, and what support do you need?")),
    ),
    Structure.free: (
        Section("text", _l("Your reflection"), _l("Write whatever helps you make sense of your practice.")),
    ),
}

# Themes everyone can choose. Admins add their organisation's own (see models.Theme).
BUILTIN_THEMES: dict[str, LazyString] = {
    "safeguarding": _l("Safeguarding"),
    "boundaries": _l("Boundaries"),
    "loss_and_grief": _l("Loss and grief"),
    "complex_case": _l("A complex case"),
    "risk": _l("Risk and safety"),
    "difficult_conversation": _l("A difficult conversation"),
    "partnership": _l("Working with other services"),
    "money_and_debt": _l("Money and debt"),
    "housing": _l("Housing"),
    "loneliness": _l("Loneliness and isolation"),
    "self_care": _l("Looking after myself"),
    "what_went_well": _l("Something that went well"),
}

# "How I feel now": optional, 1 to 5.
FEELINGS: dict[int, LazyString] = {
    1: _l("Very low"),
    2: _l("Low"),
    3: _l("Okay"),
    4: _l("Good"),
    5: _l("Very good"),
}

# Limits: long enough for a real reflection, short enough to stop abuse.
MAX_TITLE = 200
MAX_SECTION = 20_000
MAX_ACTIONS = 5_000
