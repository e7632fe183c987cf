"""Form fuzzing support: a world of real objects, finding forms on pages, what Hypothesis sends
them, and which database changes a form may make. tests/test_fuzz_forms.py drives it."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from flask import url_for
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from supervision.accounts import services as account_services
from supervision.accounts.models import Organisation, Role, User
from supervision.extensions import db
from supervision.notifications import services as notification_services

from .conftest import PASSWORD, sign_in
from .form_fuzzing_booking import add_booking_world, booking_candidates
from .form_fuzzing_debriefs import add_debrief_world, debrief_candidates
from .form_fuzzing_pulse import add_pulse_world, pulse_candidates

# A form field that sets a column of another name.
ALIASES = {
    "language": {"preferred_language"},
    "password": {"password_hash", "password_changed_at", "session_token"},
    "roles": {"membership", "invitation_role", "role"},
    "code": {"last_used_step", "used_at"},
}
# Bookkeeping any request may touch.
ALWAYS = {"scheduler_lease"}

# Fields that belong to no form here, posted to every form that lacks them, with values that
# would matter if they were ever bound to a model.
FOREIGN_NAMES = ["is_admin", "active", "role", "roles", "organisation_id", "user_id", "email_notifications",
                 "id", "session_token", "report_k", "preferred_language", "password_hash", "email", "name"]

SPECIAL = ["\x00", "\u200f", "\u202e", "\u2066", "\ufeff", "\u200b", "😀", "👩🏽‍⚕️", "ŵŷ", "\ud800", "\udfff",
           "\r\n", "<script>alert(1)</script>", "' OR '1'='1", "%00", "../../etc/passwd", "{{ 7 * 7 }}",
           "NaN", "-1", "1e309", "0x10", "  ", "\t"]
JUNK = st.one_of(
    st.just(""),
    st.text(max_size=30),
    st.lists(st.sampled_from(SPECIAL), min_size=1, max_size=6).map("".join),
    st.builds(lambda unit, count: unit * count, st.sampled_from(["a", "ŵ", "😀", "\x00", "\u202e", "9"]),
              st.integers(10_000, 12_000)),
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(str),
)


# --- the world each form is fuzzed in ----------------------------------------------------------

@dataclass
class World:
    organisation_id: int
    other_organisation_id: int
    people: dict[str, Any]  # role name -> _Detached person
    other_member_id: int
    inactive_member_id: int
    invitation_id: int
    tokens: dict[str, str]  # endpoint -> a valid token for it
    notifications: dict[int, int] = field(default_factory=dict)  # user id -> notification id
    reflection_id: int = 0  # the link worker's, shared with the supervisor (share_id)
    share_id: int = 0
    theme_id: int = 0  # one of the organisation's own reflection themes
    # Booking objects by what they are (form_fuzzing_booking.py), and a free slot for the link worker.
    booking_ids: dict[str, int] = field(default_factory=dict)
    slot_start: str = ""
    # Debrief requests by state, and a helpline (form_fuzzing_debriefs.py).
    debrief_ids: dict[str, int] = field(default_factory=dict)
    # A survey round, a leave period and a trend share (form_fuzzing_pulse.py).
    pulse_ids: dict[str, int] = field(default_factory=dict)
    # Each world signs in from an address of its own: fuzzing the sign-in form trips the throttle.
    ip: str = field(default_factory=lambda: "10." + ".".join(str(b) for b in uuid.uuid4().bytes[:3]))


def build_world(app, make) -> World:
    suffix = uuid.uuid4().hex[:6]
    organisation = make.organisation(name=f"Ogmore Valleys {suffix}")
    other = make.organisation(name=f"Teifi Valley {suffix}")
    people = {
        # With a second step, though not required to have one: so that turning it off and an
        # admin's reset are on offer.
        "link_worker": make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins", mfa=True),
        "supervisor": make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans"),
        "employer": make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
        "admin": make.user(Role.admin, organisation=organisation, name="Gareth Price"),
        # Has a second step, and will stop after the password (see sign_in_as).
        "pending_second_step": make.user(Role.supervisor, organisation=organisation, name="Owain Davies"),
    }
    other_member = make.user(Role.link_worker, organisation=other, name="Huw Parry")
    make.user(Role.admin, organisation=other, name="Sioned Prys")
    inactive = make.user(Role.link_worker, organisation=organisation, name="Dafydd Rees", active=False)
    forgetful = make.user(Role.link_worker, organisation=organisation, name="Elin Hughes")
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        invitation = account_services.invite(
            organisation=db.session.get(Organisation, organisation.id), email=f"new-{suffix}@example.org",
            roles={Role.link_worker}, invited_by=admin,
        )
        notifications = {}
        for person in people.values():
            user = db.session.get(User, person.id)
            notification = notification_services.notify(
                user=user, kind="roles_changed", dedupe_key=f"fuzz:{suffix}:{user.id}", link="/home", email=False,
            )
            notifications[user.id] = notification.id
        db.session.flush()
        tokens = {
            "accounts.reset_password": account_services.make_reset_token(db.session.get(User, forgetful.id)),
            "accounts.accept_invitation": account_services.invitation_token(invitation),
        }
        db.session.commit()
        world = World(organisation.id, other.id, people, other_member.id, inactive.id, invitation.id, tokens,
                      notifications)
    make.assign(people["supervisor"], people["link_worker"], organisation)
    world.reflection_id = make.reflection(people["link_worker"], themes=("b:boundaries",))
    world.share_id = make.share(world.reflection_id, people["supervisor"])
    with app.app_context():
        from supervision.db import utcnow
        from supervision.reflections.models import Theme

        theme = Theme(organisation_id=organisation.id, name_en=f"Carers {suffix}", name_cy=f"Gofalwyr {suffix}")
        db.session.add(theme)
        # An archived one too, so that the admin's themes page shows a restore form to fuzz.
        db.session.add(Theme(organisation_id=organisation.id, name_en=f"Archived {suffix}",
                             name_cy=f"Wedi'i archifo {suffix}", archived_at=utcnow()))
        db.session.commit()
        world.theme_id = theme.id
    add_booking_world(app, make, world)
    add_debrief_world(app, make, world)
    add_pulse_world(app, make, world)
    return world


def sign_in_as(app, world: World, role: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = world.ip
    if role == "anonymous":
        return client
    person = world.people[role]
    if role == "pending_second_step":
        response = sign_in(client, person.email, totp_secret=None)
        assert response.headers.get("Location") == "/sign-in/code", "the second step no longer follows the password"
        return client
    response = sign_in(client, person.email)
    assert response.status_code == 302, (role, response.status_code)
    return client


ROLES = ["anonymous", "pending_second_step", "link_worker", "supervisor", "employer", "admin"]


def argument_sets(rule, world: World, role: str) -> list[dict]:
    """Values for a route's arguments: real objects, so that a page loads rather than 404s."""
    person = world.people.get(role)
    candidates = {
        "organisation_id": [world.organisation_id],
        "user_id": [world.people["link_worker"].id, world.inactive_member_id],
        "invitation_id": [world.invitation_id],
        "notification_id": [world.notifications.get(person.id) if person else 0],
        "token": [world.tokens.get(rule.endpoint, "not-a-token")],
        "reflection_id": [world.reflection_id],
        # A reflection share, and a share of the link worker's wellbeing trend.
        "share_id": [world.share_id, world.pulse_ids["share"]],
        "theme_id": [world.theme_id],
        **booking_candidates(world),
        **debrief_candidates(world),
        **pulse_candidates(world),
    }
    names = sorted(rule.arguments)
    # An argument nobody knows yet gets a real id; if the page then never opens, the test says so.
    choices = [candidates.get(name, [world.people["link_worker"].id]) for name in names]
    # Query-string values a page needs to show its form.
    query = {"start": world.slot_start} if rule.endpoint in ("booking.book_slot", "booking.reschedule") else {}
    return [{**dict(zip(names, values)), **query} for values in product(*choices)]


# --- finding the forms ---------------------------------------------------------------------------

@dataclass
class FormField:
    name: str
    kind: str  # text, email, password, hidden, radio, checkbox, select, textarea, submit...
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    action: str
    fields: dict[str, FormField]
    csrf: str | None


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._form = Form(action=a.get("action") or "", fields={}, csrf=None)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag in ("input", "button") and name:
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if name == "csrf_token":
                form.csrf = a.get("value")
                return
            existing = form.fields.setdefault(name, FormField(name, kind))
            if a.get("value") is not None and kind in ("radio", "checkbox", "hidden", "submit"):
                existing.options.append(a["value"])
            existing.multiple = existing.multiple or kind == "checkbox"
        elif tag == "select" and name:
            self._select = form.fields.setdefault(name, FormField(name, "select", multiple="multiple" in a))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea" and name:
            form.fields.setdefault(name, FormField(name, "textarea"))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def post_endpoint(app, path: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method="POST")
    except (NotFound, MethodNotAllowed):
        return None
    return endpoint


def page_path(app, endpoint: str, args: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **args)


def forms_on(app, client, path: str) -> tuple[int, list[tuple[str, str, Form]]]:
    response = client.get(path)
    if response.status_code != 200 or not response.mimetype == "text/html":
        return response.status_code, []
    parser = FormParser()
    parser.feed(response.get_data(as_text=True))
    found = []
    for form in parser.forms:
        action = urljoin(path, form.action) if form.action else path
        endpoint = post_endpoint(app, action)
        if endpoint:
            found.append((endpoint, action, form))
    return 200, found


# --- what the form is sent -------------------------------------------------------------------------

def plausible(form_field: FormField) -> st.SearchStrategy[str]:
    """A value the form might accept, so that fuzzing also reaches the code behind validation."""
    name = form_field.name
    if form_field.options:
        return st.sampled_from(form_field.options)
    if "email" in name:
        return st.one_of(st.just("person@example.org"), st.emails().map(lambda e: e[:254]))
    if "password" in name or name == "confirm":
        return st.sampled_from([PASSWORD, "granite kettle orchard lantern", "password1234"])
    if name == "code":
        return st.from_regex(r"\A[0-9]{6}\Z")
    if name in ("report_k",) or name.startswith("retention_") or name in NUMBER_FIELDS:
        return st.integers(-5, 400).map(str)
    # GOV.UK date inputs (name-day, name-month, name-year), and times of day: near today, and odd.
    if name.endswith("-day"):
        return st.integers(0, 32).map(str)
    if name.endswith("-month"):
        return st.integers(0, 13).map(str)
    if name.endswith("-year"):
        return st.integers(2025, 2028).map(str)
    if name in TIME_FIELDS:
        return st.sampled_from(["09:30", "2pm", "14:15", "00:00", "23:59", "24:00", "25:00", "1:30", "9.30am"])
    if name == "next":
        return st.sampled_from(["/home", "//evil.example", "https://evil.example/", "/\\evil.example"])
    return st.text(min_size=1, max_size=40)


# Booking and organisation settings typed as numbers, and times of day.
NUMBER_FIELDS = {"buffer_minutes", "min_notice_hours", "max_days_ahead", "weekly_cap", "cancel_cutoff_hours",
                 "capacity", "min_attendees", "length_minutes", "supervision_standard_days"}
TIME_FIELDS = {"start", "end", "start_time", "end_time", "session_time"}


def poisoned(form_field: FormField) -> st.SearchStrategy[str]:
    """A plausible value with something nasty inside it, so that it gets past the other checks."""
    return st.builds(lambda value, nasty, at: value[:at] + nasty + value[at:],
                     plausible(form_field), st.sampled_from(SPECIAL), st.integers(0, 40))


def values_for(form_field: FormField) -> st.SearchStrategy[list[str]]:
    single = st.one_of(plausible(form_field), JUNK, poisoned(form_field))
    return st.one_of(
        single.map(lambda value: [value]),
        st.lists(single, min_size=2, max_size=3),  # a list where one value is expected
        st.just([]),  # the field left out
        st.lists(plausible(form_field), min_size=1, max_size=3, unique=True) if form_field.multiple
        else st.nothing(),
    )


def foreign_values(world: World) -> dict[str, list[str]]:
    return {
        "is_admin": ["1", "true", "on"],
        "active": ["0", "false", "off"],
        "role": ["admin", "employer"],
        "roles": ["admin", "employer"],
        "organisation_id": [str(world.other_organisation_id)],
        "user_id": [str(world.other_member_id)],
        "email_notifications": ["off", "0", "false"],
        "id": [str(world.other_member_id), "999999"],
        "session_token": ["injected-session-token"],
        "report_k": ["99"],
        "preferred_language": ["cy"],
        "password_hash": ["injected-hash"],
        "email": ["injected@example.org"],
        "name": ["Injected Name"],
    }


@st.composite
def payloads(draw, form: Form, world: World):
    pairs: list[tuple[str, str]] = []
    for form_field in form.fields.values():
        for value in draw(values_for(form_field)):
            pairs.append((form_field.name, value))
    extra = foreign_values(world)
    names = [name for name in FOREIGN_NAMES if name not in form.fields]
    injected = {}
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []:
        injected[name] = draw(st.sampled_from(extra[name]))
        pairs.append((name, injected[name]))
    pairs.append(("csrf_token", form.csrf or ""))
    return pairs, injected


def typical(form_field: FormField) -> str:
    """One value the form should accept, for the explicit examples below."""
    if form_field.options:
        return form_field.options[0]
    name = form_field.name
    if "email" in name:
        return "person@example.org"
    if "password" in name or name == "confirm":
        return "granite kettle orchard lantern"
    if name == "code":
        return "123456"
    if name == "report_k" or name.startswith("retention_") or name in NUMBER_FIELDS:
        return "12"
    if name in TIME_FIELDS:
        return "10:00"
    if name == "next":
        return "/home"
    return "Cwtch"


def explicit_examples(form: Form) -> list[tuple[list[tuple[str, str]], dict]]:
    """Every field in turn given a NUL and then 12,000 characters, the others typical, so that these
    cases are always tried whatever Hypothesis draws."""
    examples = []
    for poisoned_name in form.fields:
        for poison in ("\x00{}", "{}" + "ŵ" * 12_000):
            pairs = [(name, poison.format(typical(f)) if name == poisoned_name else typical(f))
                     for name, f in form.fields.items()]
            examples.append((pairs + [("csrf_token", form.csrf or "")], {}))
    return examples


def encode(pairs: list[tuple[str, str]]) -> bytes:
    """Form encoding by hand, so that lone surrogates go through as the bytes a browser could send."""
    def part(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{part(name)}={part(value)}" for name, value in pairs).encode("ascii")


# --- what may change ----------------------------------------------------------------------------

def snapshot(app) -> dict[str, dict[tuple, dict]]:
    with app.app_context():
        with db.engine.connect() as conn:
            tables = {}
            for table in db.metadata.sorted_tables:
                keys = [column.name for column in table.primary_key.columns]
                tables[table.name] = {
                    tuple(row[k] for k in keys): dict(row) for row in conn.execute(select(table)).mappings()
                }
            return tables


def _as_text(value: Any) -> set[str]:
    if isinstance(value, bool):
        return {"1", "true", "on", "y", "yes"} if value else {"0", "false", "off", "n", "no"}
    return {str(getattr(value, "value", value)).lower()}


def unexplained_changes(before, after, *, effects: set[str], form: Form, injected: dict[str, str],
                        world: World) -> list[str]:
    """Every changed cell, and every deleted row, that neither the form's fields nor the endpoint's
    purpose (effects: "table.column" it may update, "table" it may update or delete in) explains."""
    fields = set(form.fields)
    explained_columns = fields | {alias for name in fields for alias in ALIASES.get(name, ())}

    def may_change(table: str, column: str | None) -> bool:
        return ("*" in effects or table in effects or table in ALWAYS or table in explained_columns
                or (column is not None and (column in explained_columns or f"{table}.{column}" in effects)))

    problems = []
    for table, rows in after.items():
        old_rows = before.get(table, {})
        for key, row in rows.items():
            old = old_rows.get(key)
            if old is None:
                # A new row must not take a value from a field that is not on the form.
                for column, value in row.items():
                    if column in injected and not may_change(table, column) and injected[column].lower() in _as_text(value):
                        problems.append(f"new {table} row {key} took {column}={value!r} from a field not on the form")
                for column, other in (("organisation_id", world.other_organisation_id),
                                      ("user_id", world.other_member_id)):
                    if column in row and row[column] == other:
                        problems.append(f"new {table} row {key} points at the other organisation ({column})")
                continue
            for column, value in row.items():
                if old[column] != value and not may_change(table, column):
                    note = " (posted as a field not on the form)" if column in injected else ""
                    problems.append(f"{table}.{column} of row {key} changed{note}: {old[column]!r} -> {value!r}")
        for key in old_rows.keys() - rows.keys():
            if not may_change(table, None):
                problems.append(f"{table} row {key} was deleted")
    return problems
