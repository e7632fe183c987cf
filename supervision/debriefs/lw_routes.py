"""The link worker's debrief pages: their requests, asking for a debrief, one request with every
step taken on it, withdrawing it, and answering a check-in. Another person's request is a 404."""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Organisation, Role, User
from ..booking.link_worker_routes import place_error
from ..booking.views import when
from ..db import utcnow
from ..extensions import db
from ..i18n import current_language
from ..identifiers import confirmed, digests, find_identifiers
from ..main.homepages import Waiting
from ..permissions import role_required
from ..support.services import contacts_for, helplines_for_user, helpline_numbers
from . import labels, services
from .blueprint import bp
from .errors import DebriefError
from .events import LABELS
from .loaders import check_in_for_owner_or_404, request_for_owner_or_404
from .lw_forms import CheckInForm, DebriefForm, WithdrawForm
from .models import Category, CheckInAnswer, ContactWay, DebriefCheckIn, DebriefRequest, RequestStatus, Urgency
from .permissions import can_answer, can_withdraw
from .queries import names_of, queue_count, requests_of


def _me() -> User:
    return current_user._get_current_object()


def _status(problem: bool) -> int:
    """A POST that changed nothing answers 400, so that a script (or a test) can tell."""
    return 400 if request.method == "POST" and problem else 200


def _support(me: User, organisation: Organisation | None = None) -> dict:
    """The support options macro's arguments: every helpline the person's organisations keep, and
    the employer's own contacts (of this organisation, or of the person's first)."""
    if organisation is None:
        organisations = services.link_worker_organisations(me)
        organisation = organisations[0] if organisations else None
    contacts = contacts_for(organisation, current_language()) if organisation is not None else None
    return {"helplines": helplines_for_user(me), "contacts": contacts}


def due_check_ins(user: User, now: datetime) -> list[DebriefCheckIn]:
    """Check-ins waiting for this person's answer, oldest first, in one query."""
    return list(db.session.scalars(
        select(DebriefCheckIn).join(DebriefRequest, DebriefRequest.id == DebriefCheckIn.request_id)
        .where(DebriefRequest.link_worker_id == user.id, DebriefCheckIn.answered_at.is_(None),
               DebriefCheckIn.due_at <= now)
        .order_by(DebriefCheckIn.due_at, DebriefCheckIn.id)
    ))


def debrief_waiting(role: Role) -> list[Waiting]:
    """What the home page lists as waiting: a link worker's due check-ins, a supervisor's queue."""
    me = _me()
    if role == Role.link_worker:
        return [Waiting(text=_("A check-in after your debrief is waiting: how are you now?"),
                        href=url_for("debriefs.check_in", request_id=c.request_id, day=c.day))
                for c in due_check_ins(me, utcnow())]
    if role == Role.supervisor:
        waiting = queue_count(me)
        if waiting:
            return [Waiting(text=ngettext("%(num)d debrief request is waiting in your queue",
                                          "%(num)d debrief requests are waiting in your queue", waiting),
                            href=url_for("debriefs.queue"))]
    return []


@bp.record_once
def _template_globals(state) -> None:
    # The shared macros in templates/debriefs/_parts.html read their labels from these globals.
    state.app.jinja_env.globals.update(debrief_labels=labels, debrief_steps=LABELS,
                                       debrief_waiting=debrief_waiting)


@bp.get("/")
@role_required(Role.link_worker)
def index():
    me, now = _me(), utcnow()
    mine = requests_of(me)
    waiting = [c for r in mine for c in r.check_ins if c.answered_at is None and c.due_at <= now]
    return render_template("debriefs/lw/index.html", debriefs=mine, check_ins=waiting, **_support(me))


def _supervisor_choices(me: User, organisations: list[Organisation]) -> list[tuple[User, str | None]]:
    """Each supervisor the person may ask by name, once, with their organisations' names when the
    person works for more than one."""
    found: dict[int, tuple[User, list[str]]] = {}
    for organisation in organisations:
        for person in services.supervisor_choices(me, organisation.id):
            found.setdefault(person.id, (person, []))[1].append(organisation.name)
    several = len(organisations) > 1
    return [(person, ", ".join(names) if several else None) for person, names in found.values()]


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.link_worker)
def new():
    me = _me()
    organisations = services.link_worker_organisations(me)
    form = DebriefForm(organisations=organisations, supervisors=_supervisor_choices(me, organisations))
    findings, problem = [], None
    if form.validate_on_submit():
        findings = find_identifiers(form.description.data, helplines=helpline_numbers())
        if findings and not confirmed(findings, request.form):
            # Nothing is saved until the person has seen what we spotted (as for reflections).
            form.identifiers_seen.data = ",".join(sorted(digests(findings)))
        else:
            findings = []
            try:
                debrief = services.create_request(
                    link_worker=me, organisation=form.chosen_organisation(), urgency=Urgency(form.urgency.data),
                    category=Category(form.category.data), description=form.description.data,
                    contact_way=ContactWay(form.contact_way.data), supervisor=form.chosen_supervisor(),
                    now=utcnow())
            except DebriefError as error:
                db.session.rollback()
                problem = place_error(form, error)
            else:
                db.session.commit()
                flash(_("Your request has been sent. We will tell you when a supervisor replies."), "success")
                return redirect(url_for("debriefs.view", request_id=debrief.id), 303)
    return render_template(
        "debriefs/lw/new.html", form=form, problem=problem, findings=findings,
        several=len(organisations) > 1, organisation=organisations[0] if organisations else None,
        urgency_items=[{"hint": {"text": labels.URGENCY_HINTS[u]}} for u in Urgency], **_support(me),
    ), _status(bool(form.errors or problem))


@bp.get("/<int:request_id>")
@role_required(Role.link_worker)
def view(request_id: int):
    me, now = _me(), utcnow()
    debrief = request_for_owner_or_404(me, request_id)
    people = {e.actor_id for e in debrief.events if e.actor_id is not None}
    if debrief.handler_id is not None:
        people.add(debrief.handler_id)
    declined = debrief.status == RequestStatus.declined
    return render_template(
        "debriefs/lw/view.html", debrief=debrief, names=names_of(people), now=now, when=when,
        can_withdraw=can_withdraw(me, debrief), can_answer=lambda c: can_answer(me, c, now),
        **(_support(me, debrief.organisation) if declined else {}),
    )


@bp.route("/<int:request_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.link_worker)
def withdraw(request_id: int):
    me = _me()
    debrief = request_for_owner_or_404(me, request_id)
    form, problem = WithdrawForm(), None
    if not can_withdraw(me, debrief):
        return render_template("debriefs/lw/withdraw.html", debrief=debrief, form=form, blocked=True,
                               problem=None), _status(True)
    if form.validate_on_submit():
        try:
            services.withdraw(request=debrief, link_worker=me, now=utcnow())
        except DebriefError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            flash(_("Your request is withdrawn. You can ask for a debrief again at any time."), "success")
            return redirect(url_for("debriefs.view", request_id=debrief.id), 303)
    return render_template("debriefs/lw/withdraw.html", debrief=debrief, form=form, blocked=False,
                           problem=problem), _status(bool(form.errors or problem))


@bp.route("/<int:request_id>/check-in/<int:day>", methods=["GET", "POST"])
@role_required(Role.link_worker)
def check_in(request_id: int, day: int):
    me, now = _me(), utcnow()
    found = check_in_for_owner_or_404(me, request_id, day)
    debrief = found.request
    if found.answered_at is not None:
        # Answered: what to do next, with more support when they are not improving.
        return render_template(
            "debriefs/lw/check_in_answered.html", check_in=found, debrief=debrief,
            more_support=services.needs_more_support(found.answer), **_support(me, debrief.organisation),
        ), _status(True)
    if not can_answer(me, found, now):
        return render_template("debriefs/lw/check_in_later.html", check_in=found, debrief=debrief), _status(True)
    form, problem = CheckInForm(), None
    if form.validate_on_submit():
        try:
            services.answer_check_in(check_in=found, link_worker=me, answer=CheckInAnswer(form.answer.data), now=now)
        except DebriefError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            flash(_("Thank you for answering."), "success")
            return redirect(url_for("debriefs.check_in", request_id=request_id, day=day), 303)
    return render_template("debriefs/lw/check_in.html", form=form, problem=problem, check_in=found,
                           debrief=debrief), _status(bool(form.errors or problem))
