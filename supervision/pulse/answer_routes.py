"""The link worker's survey pages: their open surveys, what the surveys are, the first screen of a
survey, answering it (a draft or for good), and the result, with support at once when a score is
high. Someone else's round, or one that does not exist, answers 404. Nobody is ever told a score."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date, format_time, gettext as _, to_user_timezone
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import MIN_REPORT_K, Organisation, Role, User
from ..db import utcnow
from ..extensions import db
from ..i18n import current_language
from ..permissions import role_required
from ..support.services import contacts_for, helplines_for_user
from . import instruments, services
from .blueprint import bp
from .forms import AnswersForm, answers_form
from .instruments import Instrument, options_for
from .models import PulseInvitation, PulseResponse, PulseRound
from .permissions import can_answer, can_see_own
from .respondent import respondent_key

# About how long each survey takes, for the first screen.
MINUTES = {"monthly": 2, "cbi": 5}


def _me() -> User:
    return current_user._get_current_object()


def _invitation_or_404(round_id: int, *, answering: bool = True) -> PulseInvitation:
    """The person's own invitation; to answer it they must still work for the round's organisation."""
    me = _me()
    invitation = services.invitation_for(me, round_id)
    allowed = can_answer if answering else can_see_own
    if invitation is None or not allowed(me, invitation):
        abort(404)
    return invitation


# --- when a round closes, in words ---------------------------------------------------------------

def _last_moment(pulse_round: PulseRound) -> datetime:
    # Intervals are half-open: a round closing at 00:00 is open for the whole day before.
    return to_user_timezone(pulse_round.closes_at - timedelta(microseconds=1))


def answer_by(pulse_round: PulseRound) -> str:
    """"the end of 14 May 2026", or "15:42 on 14 May 2026" when a round does not close at midnight,
    in London time: the phrase goes after "until" or "by"."""
    closes = to_user_timezone(pulse_round.closes_at)
    last_day = format_date(_last_moment(pulse_round), "d MMMM yyyy", rebase=False)
    if closes.time() == time(0):
        return _("the end of %(date)s", date=last_day)
    return _("%(time)s on %(date)s", time=format_time(closes, "HH:mm", rebase=False),
             date=format_date(closes, "d MMMM yyyy", rebase=False))


def closed_on(pulse_round: PulseRound) -> str:
    return format_date(_last_moment(pulse_round), "d MMMM yyyy", rebase=False)


@bp.record_once
def _template_globals(state) -> None:
    # The home page shows an open survey too, so these are the app's, not only this blueprint's.
    state.app.jinja_env.globals.update(pulse_answer_by=answer_by, pulse_closed_on=closed_on,
                                       pulse_instruments=instruments)


# --- the overview and the about page --------------------------------------------------------------

@dataclass(frozen=True)
class OpenSurvey:
    invitation: PulseInvitation
    instrument: Instrument
    state: str  # "answered", "draft" or "not_started"


def _draft_round_ids(me: User, round_ids: list[int]) -> set[int]:
    """Rounds among these where this person has a saved draft, in one query."""
    if not round_ids:
        return set()
    return set(db.session.scalars(
        select(PulseResponse.round_id).where(PulseResponse.respondent_key == respondent_key(me.id),
                                             PulseResponse.round_id.in_(round_ids),
                                             PulseResponse.submitted.is_(False))))


def open_surveys(me: User, now: datetime) -> list[OpenSurvey]:
    invitations = services.open_invitations(me, now)
    drafts = _draft_round_ids(me, [i.round_id for i in invitations if not i.answered])
    return [OpenSurvey(i, services.instrument_of(i.round),
                       "answered" if i.answered else "draft" if i.round_id in drafts else "not_started")
            for i in invitations]


@bp.get("/")
@role_required(Role.link_worker)
def index():
    return render_template("pulse/index.html", surveys=open_surveys(_me(), utcnow()))


@bp.get("/about")
@role_required(Role.link_worker)
def about():
    return render_template("pulse/about.html", monthly=instruments.MONTHLY, cbi=instruments.CBI,
                           citations=instruments.CITATIONS, threshold_citation=instruments.THRESHOLD_CITATION,
                           scale_labels=instruments.SCALE_LABELS, min_answered=instruments.MIN_ANSWERED,
                           k=MIN_REPORT_K)


# --- one survey ---------------------------------------------------------------------------------

def _closed(pulse_round: PulseRound, now: datetime, status: int):
    reason = "not_open" if now < pulse_round.opens_at else "closed"
    return render_template("pulse/closed.html", pulse_round=pulse_round, reason=reason,
                           instrument=services.instrument_of(pulse_round)), status


def _already_answered(pulse_round: PulseRound):
    return render_template("pulse/closed.html", pulse_round=pulse_round, reason="answered",
                           instrument=services.instrument_of(pulse_round)), 409


@bp.get("/surveys/<int:round_id>")
@role_required(Role.link_worker)
def start(round_id: int):
    me, now = _me(), utcnow()
    invitation = _invitation_or_404(round_id)
    pulse_round = invitation.round
    if not invitation.answered and not pulse_round.is_open(now):
        return _closed(pulse_round, now, 200)
    draft = not invitation.answered and services.response_for(me, pulse_round) is not None
    instrument = services.instrument_of(pulse_round)
    return render_template("pulse/start.html", pulse_round=pulse_round, instrument=instrument,
                           answered=invitation.answered, draft=draft, minutes=MINUTES[instrument.key],
                           k=pulse_round.organisation.report_k)


def _draft_data(response: PulseResponse | None) -> dict:
    if response is None:
        return {}
    data: dict = {item: str(value) for item, value in response.values().items()}
    data["comment"] = response.comment
    return data


def _english(instrument: Instrument) -> dict[str, tuple[str, list[str]]]:
    """Each item's published English wording and options, for "Show the English wording"."""
    with force_locale("en"):
        return {item.id: (str(item.text), [str(o.label) for o in options_for(item)]) for item in instrument.items}


def _save(me: User, invitation: PulseInvitation, form: AnswersForm, now: datetime):
    """Save the draft or submit; a rule broken meanwhile (the round closed, another tab submitted)
    answers as the page would have."""
    pulse_round = invitation.round
    try:
        services.save_answers(me, invitation, form.answers(),
                              comment=form.comment.data if form.instrument.has_comment else None,
                              language=current_language(), submit=form.submitting, now=now)
    except services.RoundClosed:
        db.session.rollback()
        return _closed(pulse_round, now, 410)
    except services.AlreadySubmitted:
        db.session.rollback()
        return _already_answered(pulse_round)
    except (services.NothingAnswered, ValueError):  # the form checks these first: never expected here
        db.session.rollback()
        abort(400)
    db.session.commit()
    if form.submitting:
        return redirect(url_for("pulse.result", round_id=pulse_round.id), 303)
    flash(_("Your answers are saved. You can come back and finish them until %(when)s.",
            when=answer_by(pulse_round)), "success")
    return redirect(url_for("pulse.index"), 303)


@bp.route("/surveys/<int:round_id>/questions", methods=["GET", "POST"])
@role_required(Role.link_worker)
def answer(round_id: int):
    me, now = _me(), utcnow()
    invitation = _invitation_or_404(round_id)
    pulse_round = invitation.round
    posting = request.method == "POST"
    if invitation.answered and not posting:
        return redirect(url_for("pulse.result", round_id=round_id), 303)
    if not pulse_round.is_open(now):
        return _closed(pulse_round, now, 410 if posting else 200)
    if invitation.answered:
        return _already_answered(pulse_round)
    instrument = services.instrument_of(pulse_round)
    form = answers_form(instrument) if posting else answers_form(
        instrument, data=_draft_data(services.response_for(me, pulse_round)))
    if form.validate_on_submit():
        return _save(me, invitation, form, now)
    english = _english(instrument) if current_language() == "cy" else None
    return render_template("pulse/questions.html", form=form, instrument=instrument, pulse_round=pulse_round,
                           english=english), 400 if posting else 200


# --- the result, and support ----------------------------------------------------------------------

def _support(me: User, organisation: Organisation) -> dict:
    """The support options macro's arguments: the helplines of every organisation the person is in,
    and the employee assistance and occupational health contacts of the round's organisation."""
    return {"helplines": helplines_for_user(me), "contacts": contacts_for(organisation, current_language())}


@bp.get("/surveys/<int:round_id>/result")
@role_required(Role.link_worker)
def result(round_id: int):
    me = _me()
    invitation = _invitation_or_404(round_id, answering=False)
    pulse_round = invitation.round
    response = services.response_for(me, pulse_round)
    if response is None or not response.submitted:
        if invitation.answered:  # answered, but the answers are gone (removed under the retention rules)
            abort(404)
        return redirect(url_for("pulse.answer", round_id=round_id), 303)
    scored = services.score(response)
    return render_template("pulse/result.html", result=scored, pulse_round=pulse_round,
                           month=format_date(date(pulse_round.year, pulse_round.month, 1), "MMMM yyyy"),
                           options={item.id: {o.value: o.label for o in options_for(item)}
                                    for item in scored.instrument.items},
                           **_support(me, pulse_round.organisation))
