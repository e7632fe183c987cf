"""Demo reflections: who supervises whom, organisation themes, and a few kind, plausible reflections
with shares (one live with views and a comment, one expired, one revoked). Development only.

The people in these reflections are never named and nothing in them identifies anyone: no names,
places, dates of birth, numbers or addresses, as the service asks of real writers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .accounts.models import Organisation, SupervisorAssignment, User
from .db import utcnow
from .extensions import db
from .reflections.models import (
    Reflection,
    ReflectionShare,
    ReflectionTheme,
    ShareComment,
    ShareLength,
    ShareView,
    Status,
    Theme,
)
from .reflections.sharing import LENGTH_DAYS
from .reflections.structures import Structure

# (organisation, English name, Welsh name): themes the demo admins added to the built-in ones.
ORGANISATION_THEMES = {
    "Ogmore Valleys Community Connectors": [
        ("Working with GP practices", "Gweithio gyda meddygfeydd"),
        ("Cost of living", "Costau byw"),
    ],
    "Teifi Valley Primary Care Cluster": [
        ("Rural isolation", "Unigedd gwledig"),
        ("Farming families", "Teuluoedd ffermio"),
    ],
}


@dataclass(frozen=True)
class DemoShare:
    supervisor: str  # email
    length: ShareLength
    created_days_ago: float
    views_days_ago: tuple[float, ...] = ()
    revoked_days_ago: float | None = None
    comment: str | None = None


@dataclass(frozen=True)
class DemoReflection:
    title: str
    structure: Structure
    sections: dict[str, str]
    days_ago: int | None  # the date of practice; None for a draft without one
    status: Status = Status.complete
    themes: tuple[str, ...] = ()  # built-in keys, or "org:<English name>" for an organisation's theme
    feeling: int | None = None
    actions: str | None = None
    shares: tuple[DemoShare, ...] = field(default_factory=tuple)


CARYS = [
    DemoReflection(
        "A first meeting at the community café", Structure.gibbs, {
            "description": "I met a man the practice nurse had referred because he had stopped going out. We had a "
                           "cup of tea at the community café and talked about what he used to enjoy. He lit up when "
                           "he spoke about growing vegetables.",
            "feelings": "I was nervous beforehand: the referral said he did not really want to come. Afterwards I "
                        "felt hopeful, and a little worried that I had promised too much.",
            "evaluation": "Meeting somewhere informal helped. It was harder to keep to time, and I noticed that I "
                          "talked more than I needed to whenever there was a silence.",
            "analysis": "The silences felt uncomfortable to me, not to him. What mattered most was that he chose "
                        "what we talked about. The nurse's note gave me useful context without deciding the outcome.",
            "conclusion": "I could have left more space, and been clearer that the next step was his to choose.",
            "action_plan": "Next time I will agree at the start how long we have, and ask what he would like to "
                           "happen next before I offer anything.",
        },
        days_ago=12, themes=("loneliness", "partnership"), feeling=4,
        actions="Find out when the community allotment group meets\nAgree how long a meeting lasts at the start",
        shares=(DemoShare("supervisor@example.org", ShareLength.week, 2, views_days_ago=(1, 0.125),
                          comment="Thank you for sharing this, Carys. You noticed your own discomfort with silence, "
                                  "which is a real skill. Let's talk about pacing first meetings when we meet."),),
    ),
    DemoReflection(
        "When a call ran over", Structure.driscoll, {
            "what": "Someone I support rang three times in one afternoon and asked for my personal mobile number so "
                    "they could text me at weekends. I said no, but the last call ran forty minutes over and I was "
                    "late for my next appointment.",
            "so_what": "I care about this person and felt guilty saying no. Being clear early is kinder than being "
                       "vague and then rushed. The guilt is mine to look after, not theirs.",
            "now_what": "At the start of our work together I will explain how and when I can be contacted, and I "
                        "will practise a kind way to end a call. I want to bring this to supervision.",
        },
        days_ago=5, themes=("boundaries", "self_care"), feeling=2,
        actions="Use the work phone only, and say so at the first meeting\nPractise a kind way to end a call\n"
                "Talk about guilt and boundaries in supervision",
    ),
    DemoReflection(
        "The walking group's first month", Structure.free, {
            "text": "A month ago the walking group was an idea on a poster in the surgery waiting room. Today eleven "
                    "people came, two of them for the first time, and one of the regulars led the route.\n\n"
                    "Working with the leisure centre made it happen: they lent us a walk leader for the first "
                    "fortnight. I want to remember this on the harder weeks.",
        },
        days_ago=30, themes=("what_went_well", "partnership"), feeling=5,
        actions="Ask a regular walker whether they would co-lead over the winter",
        shares=(DemoShare("senior@example.org", ShareLength.week, 28, views_days_ago=(27,)),),
    ),
    DemoReflection(
        "Helping with a benefits form", Structure.gibbs, {
            "description": "I sat with someone for an hour while they filled in a long benefits form. They were "
                           "worn out by it and nearly gave up twice.",
            "feelings": "Frustrated with the process, and aware of how tired I was too.",
            "evaluation": "We finished it together, which was good. But I strayed into giving advice I am not "
                          "qualified to give.",
            "analysis": "I wanted to fix the problem. The welfare rights team are the right people for the detail; "
                        "my part is to help the person get there and feel supported on the way.",
            "conclusion": "I could have booked a joint appointment with the welfare rights adviser from the start.",
            "action_plan": "Refer to welfare rights earlier, and stay alongside the person rather than taking over.",
        },
        days_ago=20, themes=("money_and_debt", "org:Cost of living"), feeling=3,
        actions="Book a joint session with the welfare rights adviser",
        shares=(DemoShare("supervisor@example.org", ShareLength.week, 18, revoked_days_ago=17),),
    ),
    DemoReflection(
        "A safeguarding worry (to finish)", Structure.driscoll, {
            "what": "Something a person said today has stayed with me. I have already spoken to our safeguarding "
                    "lead, as the policy asks. I want to write down how I felt before I forget.",
        },
        days_ago=None, status=Status.draft, themes=("safeguarding",),
    ),
    DemoReflection(
        "Notes after the team meeting", Structure.free, {
            "text": "Ideas to take forward: a shared list of local groups that is kept up to date, and a monthly "
                    "hour of peer reflection.",
        },
        days_ago=1, status=Status.draft, themes=("org:Working with GP practices",),
    ),
]

NIA = [
    DemoReflection(
        "Ymweliad â fferm ar y bryniau", Structure.gibbs, {
            "description": "Es i ar ymweliad cartref â menyw sy'n byw ar ei phen ei hun ar fferm anghysbell. Mae'r "
                           "bws agosaf filltiroedd i ffwrdd. Buon ni'n siarad am beth sy'n bwysig iddi.",
            "feelings": "Roeddwn i'n teimlo'n drist ar y ffordd adref. Roedd hi mor falch o gael cwmni, ac roeddwn "
                        "i'n poeni am ei gadael hi.",
            "evaluation": "Aeth y sgwrs yn dda: roedd hi'n agored ac yn gynnes. Y peth anodd oedd nad oes llawer o "
                          "wasanaethau yn yr ardal.",
            "analysis": "Mae unigedd yng nghefn gwlad yn wahanol i unigedd yn y dref. Mae trafnidiaeth a'r tywydd "
                        "yn bwysig iawn. Rydw i wedi dysgu bod rhaid meddwl am bethau ymarferol yn gyntaf.",
            "conclusion": "Gallwn i fod wedi sôn yn gynt am y cynllun ceir cymunedol.",
            "action_plan": "Y tro nesaf, bydda i'n mynd â gwybodaeth am y cynllun ceir a'r clwb cinio gyda fi.",
        },
        days_ago=6, themes=("loneliness", "org:Rural isolation"), feeling=3,
        actions="Holi am y cynllun ceir cymunedol\nGofyn pryd mae'r clwb cinio yn y neuadd bentref",
        shares=(DemoShare("mererid.hopkin@teifi.example.org", ShareLength.week, 3, views_days_ago=(2,),
                          comment="Diolch am rannu hwn, Nia. Mae'n dangos gofal mawr. Beth am i ni siarad am sut "
                                  "i orffen ymweliad fel hwn yn ein sesiwn nesaf?"),),
    ),
    DemoReflection(
        "Sgwrs anodd am ddyledion", Structure.driscoll, {
            "what": "Roedd dyn ifanc yn poeni'n fawr am ddyled ynni. Roedd e'n grac ar y dechrau, a chododd ei lais.",
            "so_what": "Sylweddolais mai ofn oedd y tu ôl i'r dicter. Pan arafais i a gwrando, fe dawelodd.",
            "now_what": "Bydda i'n cynnig cyngor ar ddyledion yn gynt, ac yn cymryd anadl cyn ymateb.",
        },
        days_ago=15, themes=("money_and_debt", "difficult_conversation", "org:Farming families"), feeling=3,
        actions="Cadw manylion y gwasanaeth cyngor ar ddyledion wrth law",
    ),
    DemoReflection(
        "Grŵp crefft yn y llyfrgell", Structure.free, {
            "text": "Daeth chwech o bobl i'r grŵp crefft am y tro cyntaf heddiw. Roedd pawb yn dawel ar y dechrau, "
                    "ond erbyn y diwedd roedd pawb yn chwerthin. Mae'n braf gweld pethau bach yn gwneud gwahaniaeth "
                    "mawr.",
        },
        days_ago=24, themes=("what_went_well",), feeling=5,
    ),
    DemoReflection(
        "Gofalu amdanaf fy hun", Structure.driscoll, {
            "what": "Wythnos brysur iawn. Dydw i ddim wedi cymryd egwyl ginio ers dyddiau.",
        },
        days_ago=None, status=Status.draft, themes=("self_care",),
    ),
]

OWAIN = [
    DemoReflection(
        "Supervising a newer colleague", Structure.driscoll, {
            "what": "I led my first supervision session with a newer colleague. I noticed that I wanted to give "
                    "answers rather than ask questions.",
            "so_what": "Holding two roles is new for me. My own supervision helps me see the difference between "
                       "supporting someone and directing them.",
            "now_what": "I will prepare two open questions before each session, and bring this to my own "
                        "supervision.",
        },
        days_ago=8, themes=("self_care", "partnership"), feeling=4,
        actions="Prepare two open questions before each session",
    ),
    DemoReflection(
        "Thoughts on peer reflection", Structure.free, {
            "text": "A monthly hour where link workers reflect together, using Driscoll's three questions. Keep it "
                    "optional and small.",
        },
        days_ago=None, status=Status.draft,
    ),
]

REFLECTIONS = {"linkworker@example.org": CARYS, "cymraeg@example.org": NIA, "senior@example.org": OWAIN}

# (organisation, supervisor's email, the link workers' emails)
ASSIGNMENTS = [
    ("Ogmore Valleys Community Connectors", "supervisor@example.org",
     ["linkworker@example.org", "senior@example.org", "ffion.thomas@ogmore.example.org",
      "dylan.hughes@ogmore.example.org", "megan.roberts@ogmore.example.org"]),
    ("Ogmore Valleys Community Connectors", "senior@example.org",
     ["linkworker@example.org", "rhys.williams@ogmore.example.org", "elin.lewis@ogmore.example.org",
      "tomos.griffiths@ogmore.example.org"]),
    ("Ogmore Valleys Community Connectors", "bethan.howells@ogmore.example.org",
     ["lowri.edwards@ogmore.example.org", "iwan.jones@ogmore.example.org", "catrin.powell@ogmore.example.org",
      "aled.rees@ogmore.example.org"]),
    ("Teifi Valley Primary Care Cluster", "mererid.hopkin@teifi.example.org",
     ["cymraeg@example.org", "gwenllian.bowen@teifi.example.org", "huw.parry@teifi.example.org",
      "angharad.james@teifi.example.org"]),
]


def _people() -> dict[str, User]:
    return {user.email: user for user in db.session.scalars(select(User))}


def _assign(people: dict[str, User], organisations: dict[str, Organisation]) -> None:
    existing = {tuple(row) for row in db.session.execute(select(
        SupervisorAssignment.organisation_id, SupervisorAssignment.supervisor_id, SupervisorAssignment.link_worker_id))}
    for organisation_name, supervisor, link_workers in ASSIGNMENTS:
        organisation = organisations[organisation_name]
        for email in link_workers:
            row = (organisation.id, people[supervisor].id, people[email].id)
            if row not in existing:
                db.session.add(SupervisorAssignment(organisation_id=row[0], supervisor_id=row[1], link_worker_id=row[2]))


def _themes(organisations: dict[str, Organisation]) -> dict[str, Theme]:
    themes = {}
    for organisation_name, names in ORGANISATION_THEMES.items():
        organisation = organisations[organisation_name]
        for name_en, name_cy in names:
            theme = db.session.scalar(select(Theme).where(Theme.organisation_id == organisation.id,
                                                          Theme.name_en == name_en))
            if theme is None:
                theme = Theme(organisation_id=organisation.id, name_en=name_en, name_cy=name_cy)
                db.session.add(theme)
            themes[name_en] = theme
    db.session.flush()
    return themes


def _write(author: User, demo: DemoReflection, *, themes: dict[str, Theme], people: dict[str, User],
           now: datetime, today: date) -> None:
    practice_date = today - timedelta(days=demo.days_ago) if demo.days_ago is not None else None
    # Written a little after the day it is about, and last changed a little later.
    written = now - timedelta(days=demo.days_ago if demo.days_ago is not None else 2, hours=-3)
    reflection = Reflection(
        author_id=author.id, status=demo.status, structure=demo.structure, title=demo.title,
        practice_date=practice_date, sections=dict(demo.sections), actions=demo.actions, feeling=demo.feeling,
        created_at=written, updated_at=written + timedelta(hours=1),
    )
    for theme in demo.themes:
        if theme.startswith("org:"):
            reflection.themes.append(ReflectionTheme(theme_id=themes[theme.removeprefix("org:")].id))
        else:
            reflection.themes.append(ReflectionTheme(builtin=theme))
    db.session.add(reflection)
    for demo_share in demo.shares:
        created = now - timedelta(days=demo_share.created_days_ago)
        share = ReflectionShare(
            supervisor_id=people[demo_share.supervisor].id, length=demo_share.length, created_at=created,
            expires_at=created + LENGTH_DAYS[demo_share.length],
            revoked_at=(now - timedelta(days=demo_share.revoked_days_ago)
                        if demo_share.revoked_days_ago is not None else None),
        )
        share.views = [ShareView(viewed_at=now - timedelta(days=days)) for days in demo_share.views_days_ago]
        if demo_share.comment:
            last_view = min(demo_share.views_days_ago, default=0)
            share.comments = [ShareComment(body=demo_share.comment, created_at=now - timedelta(days=last_view))]
        reflection.shares.append(share)


def _notify_shares(people: dict[str, User]) -> None:
    """What the demo's live shares would have told each side, in the app only."""
    from .notifications.services import notify, path_for

    now = utcnow()
    authors = [people[email].id for email in REFLECTIONS]
    shares = db.session.scalars(
        select(ReflectionShare).join(Reflection)
        .where(Reflection.author_id.in_(authors), ReflectionShare.revoked_at.is_(None), ReflectionShare.expires_at > now)
    ).all()
    for share in shares:
        notify(user=share.supervisor, kind="reflection_shared", dedupe_key=f"reflection-shared:{share.id}",
               link=path_for("reflections.shared_view", share_id=share.id), email=False)
        for comment in share.comments:
            notify(user=share.reflection.author, kind="reflection_comment",
                   dedupe_key=f"reflection-comment:{comment.id}",
                   link=path_for("reflections.view", reflection_id=share.reflection_id), email=False)


def seed_reflections(organisations: dict[str, Organisation]) -> int:
    """Assignments, themes and reflections; a person who has any reflection already is left alone."""
    people = _people()
    _assign(people, organisations)
    themes = _themes(organisations)
    now = utcnow()
    today = now.astimezone(ZoneInfo("Europe/London")).date()
    written = 0
    for email, reflections in REFLECTIONS.items():
        author = people[email]
        if db.session.scalar(select(Reflection.id).where(Reflection.author_id == author.id).limit(1)) is not None:
            continue
        for demo in reflections:
            _write(author, demo, themes=themes, people=people, now=now, today=today)
            written += 1
    db.session.flush()
    _notify_shares(people)
    return written
