"""Demo reflection history: brief reflections that the demo's link workers wrote in each of the
quarters the demo's issued reports cover. Development only.

demo_reflections.py writes the reflections people open in the demo, all of them recent. Without
these, every issued report would say that no link worker wrote a reflection. Ogmore has 12 link
workers and the reports round counts to the nearest 5 and show 1 to 7 as `*` (DESIGN.md, rule 2),
so 8 to 10 of them write in each quarter here: enough for the figure to be published, though with
both counts rounded to 10 it reads 100% (with 12 link workers, any published count does). Teifi's 4
are fewer than k = 5, so its figure is hidden whatever they write; two of them write, as people do.

Like the recent ones, they name and identify no one, and each is in its writer's own language
(all English here: Nia's Welsh reflections are all recent). Running it twice changes nothing: a
reflection whose writer already has one with its title is not written again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from .accounts.models import User
from .demo_booking import LONDON
from .demo_reports import QUARTERS
from .extensions import db
from .reflections.models import Reflection, ReflectionTheme, Status
from .reflections.structures import Structure
from .reports.quarters import Quarter


@dataclass(frozen=True)
class PastReflection:
    title: str
    structure: Structure
    sections: dict[str, str]
    themes: tuple[str, ...]
    feeling: int


PAST_REFLECTIONS = (
    PastReflection("Listening before fixing", Structure.driscoll, {
        "what": "A woman I support wanted to talk about her week, and I kept steering us back to the benefits form.",
        "so_what": "She needed to be heard first. The form could have waited until the end.",
        "now_what": "I will ask what matters most today before I bring out any paperwork.",
    }, ("difficult_conversation",), 3),
    PastReflection("A warm handover to the housing team", Structure.free, {
        "text": "I went with a man to his first meeting with the housing team. Being there for the introduction "
                "meant he stayed for the whole meeting. Warm handovers take longer, but they work.",
    }, ("housing", "partnership"), 4),
    PastReflection("When a referral does not fit", Structure.driscoll, {
        "what": "A practice sent a referral that needed a mental health service more than social prescribing.",
        "so_what": "I felt pulled to help anyway, and took on more than I should have.",
        "now_what": "I will talk to the practice about referrals, and bring this to supervision.",
    }, ("boundaries", "partnership"), 2),
    PastReflection("The walking group finds its feet", Structure.free, {
        "text": "The walking group has settled into a small, steady group. Two people who first came along "
                "nervously now wait at the start to welcome newcomers.",
    }, ("what_went_well", "loneliness"), 5),
    PastReflection("Running late all week", Structure.free, {
        "text": "I ran late for nearly every visit this week and felt flustered. I had booked visits back to back, "
                "with no time to travel or write notes. Next week I will leave gaps.",
    }, ("self_care",), 2),
    PastReflection("A call about food", Structure.gibbs, {
        "description": "A mother rang because she had no money for food until payday.",
        "feelings": "I felt anxious and wanted to sort everything out at once.",
        "evaluation": "We arranged a food bank referral the same day, which helped.",
        "analysis": "Acting quickly was right, but I did not ask about the debt behind it.",
        "conclusion": "I could have booked a follow-up for the bigger picture.",
        "action_plan": "I will offer her a money advice appointment when we next speak.",
    }, ("money_and_debt",), 3),
    PastReflection("Ending well", Structure.driscoll, {
        "what": "I closed my work with a man who now goes to the men's shed on his own.",
        "so_what": "I felt proud and a little sad. Endings are part of the work.",
        "now_what": "I will plan endings earlier, and mark them with the person.",
    }, ("what_went_well",), 4),
    PastReflection("After an unsettling home visit", Structure.free, {
        "text": "A visit left me unsettled: the house was cold and the person seemed more confused than last "
                "time. I raised it with the practice that afternoon and talked it through with my supervisor.",
    }, ("risk",), 2),
    PastReflection("Meeting the practice team", Structure.driscoll, {
        "what": "I joined the practice team's meeting to explain what link workers do.",
        "so_what": "Some of the team thought we only help with forms. The discussion changed that.",
        "now_what": "I will send them a short note with examples of the support we give.",
    }, ("partnership",), 4),
    PastReflection("Supporting a grieving carer", Structure.gibbs, {
        "description": "I met a carer whose husband died recently. She wanted a reason to leave the house.",
        "feelings": "It brought back my own loss, and I felt tearful afterwards.",
        "evaluation": "The conversation went gently, and she chose a bereavement group to try.",
        "analysis": "My own grief helped me listen, but it also tired me.",
        "conclusion": "I should have given myself a break before the next visit.",
        "action_plan": "I will keep a quiet half hour after visits like this one.",
    }, ("loss_and_grief", "self_care"), 3),
    PastReflection("Saying no kindly", Structure.driscoll, {
        "what": "Someone asked me to fill in all their forms for them from now on.",
        "so_what": "Doing it for them would be quicker, but it would not help them in the long run.",
        "now_what": "I will offer to sit with people while they fill the forms in themselves.",
    }, ("boundaries",), 3),
    PastReflection("A quiet win at the library", Structure.free, {
        "text": "A young man who had not left home for months came to the games afternoon at the library. He "
                "stayed for the whole session and asked when the next one is.",
    }, ("loneliness", "what_went_well"), 5),
)

CARYS, OWAIN = "linkworker@example.org", "senior@example.org"
OGMORE_WRITERS = (CARYS, OWAIN, *(f"{name}@ogmore.example.org" for name in (
    "ffion.thomas", "dylan.hughes", "megan.roberts", "rhys.williams", "elin.lewis", "tomos.griffiths",
    "lowri.edwards", "iwan.jones", "catrin.powell", "aled.rees")))
TEIFI_WRITERS = ("huw.parry@teifi.example.org", "angharad.james@teifi.example.org")
WRITERS = OGMORE_WRITERS + TEIFI_WRITERS

# Who wrote in each issued quarter, oldest first: 8, 9 and 9 of Ogmore's 12, and Teifi's two. Each
# quarter's writers are the quarter before's, or differ from them by at least 5 people, so that rule 5
# (compared by the authors) lets the demo show the reflection figure.
_SKIPPED = (
    {"megan.roberts", "tomos.griffiths", "iwan.jones", "aled.rees"},
    {"rhys.williams", "elin.lewis", "catrin.powell", "angharad.james"},
    {"rhys.williams", "elin.lewis", "catrin.powell"},
)
WRITERS_BY_QUARTER = tuple(tuple(email for email in WRITERS if email.split("@")[0] not in skipped)
                           for skipped in _SKIPPED)


@dataclass(frozen=True)
class Dated:
    writer: str  # email
    reflection: PastReflection
    practice_date: date


def history(now: datetime) -> list[Dated]:
    """Each writer's reflections in the issued quarters before `now`'s, one per quarter they wrote in.
    Each one gets a different reflection each quarter, and the days are spread over the quarter."""
    dated = []
    quarters = Quarter.containing(now).previous_ones(QUARTERS)
    for position, (quarter, writers) in enumerate(zip(quarters, WRITERS_BY_QUARTER, strict=True)):
        for writer in writers:
            index = WRITERS.index(writer)
            reflection = PAST_REFLECTIONS[(index + 5 * position) % len(PAST_REFLECTIONS)]
            # Between the quarter's 9th and 78th day, so that the day after is still in the quarter.
            day = quarter.first_day + timedelta(days=8 + (7 * index + 11 * position) % 70)
            dated.append(Dated(writer, reflection, day))
    return dated


def seed_reflection_history(now: datetime) -> int:
    """Returns how many reflections were written now."""
    people = {user.email: user for user in db.session.scalars(select(User).where(User.email.in_(WRITERS)))}
    ids = [person.id for person in people.values()]
    existing = {tuple(row) for row in db.session.execute(
        select(Reflection.author_id, Reflection.title).where(Reflection.author_id.in_(ids)))}
    written = 0
    for past in history(now):
        author = people[past.writer]
        if (author.id, past.reflection.title) in existing:
            continue
        # Written the next afternoon, as most reflections are.
        created = datetime.combine(past.practice_date + timedelta(days=1), time(16), tzinfo=LONDON)
        created = created.astimezone(timezone.utc)
        reflection = Reflection(
            author_id=author.id, status=Status.complete, structure=past.reflection.structure,
            title=past.reflection.title, practice_date=past.practice_date, sections=dict(past.reflection.sections),
            feeling=past.reflection.feeling, created_at=created, updated_at=created + timedelta(minutes=40),
        )
        reflection.themes = [ReflectionTheme(builtin=theme) for theme in past.reflection.themes]
        db.session.add(reflection)
        written += 1
    db.session.flush()
    return written
