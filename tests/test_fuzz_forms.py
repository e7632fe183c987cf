"""Fuzzing every form: each page that shows a <form method="post"> is found by walking the URL map
as every role, and its form is sent Hypothesis-made data (odd Unicode, NUL, right-to-left marks,
emoji, lone surrogates, 10,000+ characters, empty fields, lists for single values, numbers, and
fields that belong to no form), always with a valid CSRF token.

Nothing may answer 500 or log an unhandled error, and no field outside a form may change the
database: every changed cell must be explained by the form's own fields or by what the endpoint
is for (EFFECTS). New forms are fuzzed without any change here; a route that cannot be reached or
is skipped must say why in SKIPPED."""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from .conftest import csrf_token
from .form_fuzzing import (
    ROLES,
    Form,
    FormField,
    World,
    argument_sets,
    build_world,
    encode,
    explicit_examples,
    forms_on,
    page_path,
    payloads,
    sign_in_as,
    snapshot,
    unexplained_changes,
)

# Endpoints that are never fuzzed, and why. Everything else that shows a form is fuzzed.
SKIPPED = {
    "static": "serves files; it shows no form",
    "accounts.logout": "signing out ends the session the fuzzing needs; its form holds only the CSRF token",
}

# Examples per form. The whole file must stay near a minute on a 2-core machine on PostgreSQL.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# Forms whose success is slow (building a PDF, hashing passwords) get fewer examples.
SLOW_EXAMPLES = {"mydata.export": 3}

_BOOKING_STEP = {"supervision_session", "booking", "booking_event", "notification", "outbound_email",
                 "email_attachment", "reflection_share.expires_at", "reflection_share.ended_by_session"}

# What each endpoint is for, beyond its fields: "table.column" it may update, "table" whose rows it
# may update or delete. New rows are allowed, unless they take a value from a field not on the
# form or point at the other organisation (form_fuzzing.unexplained_changes).
EFFECTS: dict[str, set[str]] = {
    "accounts.login": {"login_attempt"},
    "accounts.change_password": {"user_account.password_hash", "user_account.password_changed_at",
                                 "user_account.session_token", "login_attempt"},
    "accounts.confirm_identity": {"login_attempt"},
    "accounts.reset_password": {"user_account.password_hash", "user_account.password_changed_at",
                                "user_account.session_token"},
    "accounts.accept_invitation": {"invitation.used_at"},
    "admin.invite": {"invitation.revoked_at"},  # a new invitation replaces an open one to the same address
    # Removing the supervisor or link-worker role ends that role's assignments and the shares they allowed.
    "admin.person": {"membership", "user_account.session_token", "supervisor_assignment",
                     "reflection_share.revoked_at", "pulse_trend_share.revoked_at"},
    "admin.deactivate": {"user_account.active", "user_account.session_token"},
    "admin.reactivate": {"user_account.active"},
    "admin.revoke_invitation": {"invitation.revoked_at"},
    "admin.reset_second_step": {"totp_credential", "recovery_code", "user_account.session_token"},
    "notifications.read": {"notification.read_at"},
    # An admin's draft is rewritten in place on each regeneration: new files, a new time.
    "reports.make_draft": {"quarterly_report", "audit_event"},
    "notifications.read_all": {"notification.read_at"},
    "mfa.challenge": {"totp_credential.last_used_step", "recovery_code.used_at", "login_attempt"},
    # Any change to the second step ends the person's other sessions (the token rotates).
    "mfa.setup": {"totp_credential", "recovery_code", "login_attempt", "user_account.session_token"},
    "mfa.disable": {"totp_credential", "recovery_code", "user_account.session_token"},
    "mfa.regenerate_codes": {"recovery_code", "user_account.session_token"},
    # Deleting one's own account removes its rows in many tables (supervision/mydata/services.py).
    "mydata.delete": {"*"},
    "mydata.export": set(),
    # Reflections (issue 5). Each helper keeps its own lines right.
    "reflections.new": {"reflection", "reflection_theme"},
    "reflections.edit": {"reflection", "reflection_theme"},
    "reflections.delete": {"reflection", "reflection_theme", "reflection_share", "reflection_share_view",
                           "reflection_share_comment", "audit_event"},
    "reflections.share": {"reflection_share", "notification", "outbound_email"},
    "reflections.revoke_share": {"reflection_share.revoked_at"},
    "reflections.comment": {"reflection_share_comment", "notification", "outbound_email"},
    "admin.themes": {"theme"},
    "admin.archive_theme": {"theme.archived_at"},
    "admin.restore_theme": {"theme.archived_at"},
    "admin.supervisors": {"supervisor_assignment", "reflection_share.revoked_at", "pulse_trend_share.revoked_at", "notification",
                          "outbound_email", "audit_event"},
    # Booking (issue 6). A step on a booking records an event, tells people (notification, email with
    # its .ics file), raises calendar sequences, and moves "until the next session" shares' ends.
    **{endpoint: _BOOKING_STEP for endpoint in (
        "booking.book_slot", "booking.join_group", "booking.cancel", "booking.reschedule", "booking.respond",
        "booking.supervisor_review", "booking.supervisor_cancel_booking", "booking.supervisor_cancel_session",
        "booking.supervisor_reschedule", "booking.supervisor_capacity", "booking.supervisor_schedule_group",
        "booking.supervisor_attendance")},
    "booking.record": {"session_record", "notification", "outbound_email"},
    "booking.calendar_feed_create": {"calendar_feed"},
    "booking.calendar_feed_renew": {"calendar_feed"},
    "booking.setup_settings": {"supervisor_settings"},
    "booking.setup_add_window": {"availability_window"},
    "booking.setup_remove_window": {"availability_window"},
    "booking.setup_add_type": {"session_type"},
    "booking.setup_edit_type": {"session_type"},
    "booking.setup_archive_type": {"session_type.active"},
    "booking.setup_restore_type": {"session_type.active"},
    "booking.setup_add_block": {"availability_block"},
    "booking.setup_remove_block": {"availability_block"},
    # Debrief requests (issue 7). Each step records an event and tells people (notification, email).
    "debriefs.new": {"debrief_request", "debrief_event", "notification", "outbound_email"},
    "debriefs.withdraw": {"debrief_request.status", "debrief_request.closed_at", "debrief_event", "notification",
                          "outbound_email"},
    "debriefs.check_in": {"debrief_check_in.answer", "debrief_check_in.answered_at", "debrief_event",
                          "notification", "outbound_email"},
    "debriefs.accept": {"debrief_request.status", "debrief_request.handler_id", "debrief_request.accepted_at",
                        "debrief_event", "notification", "outbound_email"},
    "debriefs.pass_on": {"debrief_request.assigned_to_id", "debrief_event", "notification", "outbound_email"},
    "debriefs.decline": {"debrief_request.status", "debrief_request.handler_id", "debrief_request.decline_reason",
                         "debrief_request.alternative", "debrief_request.closed_at", "debrief_event",
                         "notification", "outbound_email"},
    # Booking the debrief is a booking step too.
    "debriefs.book": _BOOKING_STEP | {"debrief_request.booking_id", "debrief_event"},
    "debriefs.record": {"debrief_request", "debrief_check_in", "debrief_event", "notification", "outbound_email"},
    # The admin's support settings: working hours, employer contacts, helplines.
    "admin.support": {"organisation.working_days", "organisation.working_day_start_minute",
                      "organisation.working_day_end_minute", "organisation.eap_en", "organisation.eap_cy",
                      "organisation.occupational_health_en", "organisation.occupational_health_cy",
                      "audit_event"},
    # Wellbeing surveys (issue 8): answering, leave, and sharing one's trend.
    "pulse.answer": {"pulse_response", "pulse_answer", "pulse_invitation.answered"},
    "pulse.leave": {"pulse_leave", "audit_event"},
    "pulse.leave_remove": {"pulse_leave", "audit_event"},
    "admin.survey_leave": {"pulse_leave", "audit_event"},
    "admin.survey_leave_remove": {"pulse_leave", "audit_event"},
    "pulse.shares": {"pulse_trend_share", "notification", "outbound_email"},
    "pulse.revoke_share": {"pulse_trend_share.revoked_at"},
    "admin.helpline_add": {"helpline", "audit_event"},
    "admin.helpline_edit": {"helpline", "audit_event"},
    "admin.helpline_delete": {"helpline", "audit_event"},
    "admin.helpline_move": {"helpline.position", "audit_event"},
}


# --- finding every form ---------------------------------------------------------------------------

@dataclass
class Target:
    endpoint: str  # where the form posts
    role: str  # who first saw the form
    page_endpoint: str  # the page it is on


def discover(app, world: World) -> tuple[dict[str, Target], dict[str, dict]]:
    targets: dict[str, Target] = {}
    answers: dict[str, dict] = {}  # GET endpoint -> {role: status}
    clients = {role: sign_in_as(app, world, role) for role in ROLES}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in SKIPPED or "GET" not in rule.methods:
            continue
        for role in ROLES:
            for args in argument_sets(rule, world, role):
                status, forms = forms_on(app, clients[role], page_path(app, rule.endpoint, args))
                statuses = answers.setdefault(rule.endpoint, {})
                seen = statuses.get(role, status)
                # The best answer, unless one failed: a 500 must never hide behind a 200.
                statuses[role] = max(seen, status) if max(seen, status) >= 500 else min(seen, status)
                for endpoint, _, _ in forms:
                    if endpoint not in SKIPPED and endpoint not in targets:
                        targets[endpoint] = Target(endpoint, role, rule.endpoint)
    return targets, answers


# --- the test -----------------------------------------------------------------------------------

class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged_errors(app):
    handler = Errors()
    app.logger.addHandler(handler)
    yield handler
    app.logger.removeHandler(handler)


def fresh_form(app, make, target: Target) -> tuple[World, Any, str, Form]:
    """A world of its own for each form, so that one form's fuzzing cannot starve another's."""
    world = build_world(app, make)
    client = sign_in_as(app, world, target.role)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == target.page_endpoint)
    for args in argument_sets(rule, world, target.role):
        _, forms = forms_on(app, client, page_path(app, target.page_endpoint, args))
        for endpoint, action, form in forms:
            if endpoint == target.endpoint:
                return world, client, action, form
    raise AssertionError(f"the form for {target.endpoint} on {target.page_endpoint} vanished")


def fuzz(app, make, target: Target, logged_errors: Errors) -> list[str]:
    world, client, action, form = fresh_form(app, make, target)
    failures: list[str] = []

    # Every example shares the test's app, world and signed-in client on purpose (that is what the
    # function-scoped-fixture check warns of): each one compares the database before and after itself.
    # derandomize: CI sees the same examples every run; deadline: pages may be slow under load.
    @settings(max_examples=SLOW_EXAMPLES.get(target.endpoint, EXAMPLES), deadline=None, derandomize=True,
              database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])
    @given(payload=payloads(form, world))
    def send(payload):
        pairs, injected = payload
        before = snapshot(app)
        seen = len(logged_errors.records)
        response = client.post(action, data=encode(pairs), content_type="application/x-www-form-urlencoded")
        after = snapshot(app)
        assert response.status_code < 500, f"{target.endpoint} answered {response.status_code}"
        errors = [r.getMessage() for r in logged_errors.records[seen:]]
        assert not errors, f"{target.endpoint} logged {errors}"
        problems = unexplained_changes(before, after, effects=EFFECTS.get(target.endpoint, set()), form=form,
                                       injected=injected, world=world)
        assert not problems, f"{target.endpoint}: " + "; ".join(problems)

    for payload in reversed(explicit_examples(form)):  # the last one applied runs first
        send = example(payload=payload)(send)
    try:
        send()
    except Exception as error:  # an AssertionError, or Hypothesis's group of them when a failure did not repeat
        failures.append(f"{target.endpoint} (as {target.role}, form on {target.page_endpoint}): {error!r}")
    return failures


def test_a_nul_character_is_refused_before_it_reaches_the_database(client):
    """Found by this fuzzing: PostgreSQL refuses NUL in text, which made a 500 of the sign-in form."""
    token = csrf_token(client)
    response = client.post("/sign-in", data={"email": "\x00@example.org", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    assert client.get("/sign-in?next=%00").status_code == 400
    assert client.post("/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": token,
                                         "extra\x00": "y"}).status_code == 400


def test_the_change_check_catches_what_no_field_explains():
    """The checker itself: a cell changed through a field that is not on the form is reported."""
    world = World(1, 2, {}, 20, 21, 5, {})
    form = Form(action="/account", fields={"language": FormField("language", "radio", ["en", "cy"])}, csrf="t")
    row = {"id": 7, "preferred_language": "en", "active": True, "email_notifications": True}
    before = {"user_account": {(7,): row}, "membership": {(1,): {"id": 1, "user_id": 7, "organisation_id": 1}}}

    def after(**changes):
        return {"user_account": {(7,): {**row, **changes}}, "membership": dict(before["membership"])}

    def check(changed, injected):
        return unexplained_changes(before, changed, effects=EFFECTS.get("accounts.settings", set()), form=form,
                                   injected=injected, world=world)

    assert check(after(preferred_language="cy"), {}) == []
    problems = check(after(active=False), {"active": "0"})
    assert problems == ["user_account.active of row (7,) changed (posted as a field not on the form): True -> False"]
    moved = {**after(), "membership": {(1,): before["membership"][(1,)],
                                       (2,): {"id": 2, "user_id": 7, "organisation_id": 2}}}
    assert check(moved, {"organisation_id": "2"}) == [
        "new membership row (2,) took organisation_id=2 from a field not on the form",
        "new membership row (2,) points at the other organisation (organisation_id)",
    ]
    gone = {"user_account": {}, "membership": before["membership"]}
    assert check(gone, {}) == ["user_account row (7,) was deleted"]


def test_skipped_endpoints_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(SKIPPED) <= endpoints, set(SKIPPED) - endpoints


def test_every_form_survives_fuzzing_and_changes_only_what_it_should(app, make, logged_errors, capsys):
    started = time.monotonic()
    world = build_world(app, make)
    targets, answers = discover(app, world)

    broken = {endpoint: statuses for endpoint, statuses in answers.items()
              if any(status >= 500 for status in statuses.values())}
    assert not broken, f"pages that failed when opened: {broken}"
    # Every page opens for someone: a route nobody reaches is a route nobody fuzzes.
    unreached = {endpoint: statuses for endpoint, statuses in answers.items()
                 if not any(status in (200, 302, 303) for status in statuses.values())}
    assert not unreached, (f"no role could open these pages; give their arguments real values in "
                           f"argument_sets() or list them in SKIPPED with a reason: {unreached}")
    # Every POST endpoint is fuzzed through a form, or skipped with a reason.
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = posts - set(targets) - set(SKIPPED)
    assert not missing, f"no page showed a form for {sorted(missing)}: add the objects they need, or skip them"
    assert {"accounts.login", "accounts.forgot_password", "admin.invite", "admin.settings",
            "accounts.settings", "main.switch_language"} <= set(targets)

    failures = []
    for endpoint in sorted(targets):
        failures += fuzz(app, make, targets[endpoint], logged_errors)
    with capsys.disabled():
        print(f"\nfuzzed {len(targets)} forms in {time.monotonic() - started:.1f}s; not fuzzed, on purpose: "
              + "; ".join(f"{endpoint} ({reason})" for endpoint, reason in SKIPPED.items()))
    assert not failures, "\n\n".join(failures)
