"""The exporters that make up a person's download, one per domain that holds their data."""
from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import Invitation, Membership, User
from ..extensions import db
from ..booking.export import bookings_section
from ..debriefs.export import debriefs_section
from ..labels import role_label
from ..notifications.kinds import title as notification_title
from ..notifications.models import Notification, OutboundEmail
from ..pulse.instruments import INSTRUMENTS, SCALE_LABELS, options_for
from ..pulse.models import PulseInvitation, PulseResponse, PulseRound, SurveyLeave, TrendShare
from ..pulse.respondent import respondent_key
from ..pulse.services import Result, score
from ..pulse.trend import one_decimal
from ..reflections.export import reflections_section
from .activity import action_label, activity_of, outcome_label
from .sections import ExportSection, Exporter, PdfTable, iso


def account_section(user: User) -> ExportSection:
    data = {
        "name": user.name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "email_notifications": user.email_notifications,
        "created_at": iso(user.created_at),
        "password_changed_at": iso(user.password_changed_at),
    }
    language = {"en": "English", "cy": "Cymraeg"}.get(user.preferred_language, user.preferred_language)
    rows = [
        [_("Name"), user.name],
        [_("Email address"), user.email],
        [_("Language"), language],
        [_("Emails about notifications"), _("On") if user.email_notifications else _("Off")],
        [_("Account created"), user.created_at],
        [_("Password last changed"), user.password_changed_at],
    ]
    return ExportSection("account", data, [PdfTable(_("Your account"), [_("Detail"), _("Value")], rows)])


def roles_section(user: User) -> ExportSection:
    memberships = _memberships(user)
    data = [
        {"organisation_id": m.organisation_id, "organisation": m.organisation.name, "role": m.role.value,
         "since": iso(m.created_at)}
        for m in memberships
    ]
    rows = [[m.organisation.name, role_label(m.role, m.organisation), m.created_at] for m in memberships]
    table = PdfTable(_("Your roles"), [_("Organisation"), _("Role"), _("Since")], rows,
                     empty=_("You have no roles in any organisation."))
    return ExportSection("roles", data, [table])


def _memberships(user: User) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.organisation))
            .order_by(Membership.organisation_id, Membership.role)
        )
    )


def notifications_section(user: User) -> ExportSection:
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at, Notification.id)
    ).all()
    data = [
        {"kind": n.kind, "title": notification_title(n.kind), "link": n.link,
         "created_at": iso(n.created_at), "read_at": iso(n.read_at)}
        for n in notifications
    ]
    rows = [[notification_title(n.kind), n.created_at, n.read_at] for n in notifications]
    table = PdfTable(_("Notifications"), [_("Notification"), _("Created"), _("Read")], rows,
                     empty=_("You have no notifications."))
    return ExportSection("notifications", data, [table])


def emails_section(user: User) -> ExportSection:
    """Emails sent to this person. Bodies are left out: they only repeat what is here, and links."""
    emails = db.session.scalars(
        select(OutboundEmail)
        .where(or_(OutboundEmail.user_id == user.id,
                   # An invitation to a new person is sent before their account exists.
                   and_(OutboundEmail.user_id.is_(None), OutboundEmail.to_address == user.email)))
        .order_by(OutboundEmail.created_at, OutboundEmail.id)
    ).all()
    data = [
        {"subject": e.subject, "to": e.to_address, "status": e.status.value, "created_at": iso(e.created_at),
         "sent_at": iso(e.sent_at)}
        for e in emails
    ]
    statuses = {"pending": _("Waiting to be sent"), "sent": _("Sent"), "failed": _("Could not be sent")}
    rows = [[e.subject, statuses[e.status.value], e.created_at, e.sent_at] for e in emails]
    table = PdfTable(_("Emails to you"), [_("Subject"), _("Status"), _("Created"), _("Sent")], rows,
                     empty=_("Cwtch has no emails to you on record."))
    return ExportSection("emails", data, [table])


def activity_section(user: User) -> ExportSection:
    """The audit log's record of what this person did. Targets are ids, never another person's name."""
    events = activity_of(user)
    data = [
        {"created_at": iso(e.created_at), "action": e.action, "outcome": e.outcome, "ip": e.ip,
         "organisation_id": e.organisation_id, "target_type": e.target_type, "target_id": e.target_id,
         "detail": e.detail}
        for e in events
    ]
    rows = [[e.created_at, action_label(e.action), outcome_label(e.outcome), e.ip] for e in events]
    table = PdfTable(_("Sign-ins and other activity"), [_("Time"), _("What happened"), _("Result"), _("IP address")],
                     rows, empty=_("There is no activity on record."))
    return ExportSection("activity", data, [table])


def invitations_section(user: User) -> ExportSection:
    """Invitations this person accepted. Who sent them is left out: that is another person."""
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.email == user.email, Invitation.used_at.is_not(None))
        .options(selectinload(Invitation.organisation), selectinload(Invitation.roles))
        .order_by(Invitation.used_at, Invitation.id)
    ).all()
    data = [
        {"organisation_id": i.organisation_id, "organisation": i.organisation.name,
         "roles": sorted(r.value for r in i.role_set), "created_at": iso(i.created_at),
         "accepted_at": iso(i.used_at)}
        for i in invitations
    ]
    rows = [[i.organisation.name,
             ", ".join(role_label(r, i.organisation) for r in sorted(i.role_set, key=lambda r: r.value)),
             i.created_at, i.used_at] for i in invitations]
    table = PdfTable(_("Invitations you accepted"), [_("Organisation"), _("Roles"), _("Sent"), _("Accepted")],
                     rows, empty=_("There are no accepted invitations on record."))
    return ExportSection("invitations_accepted", data, [table])


# --- wellbeing surveys -----------------------------------------------------------------------
# A person's answers carry no user id: they are found by the respondent key, which only the server
# can work out from the person's own id. Their comment is theirs, so it is in their download.

def _survey_month(year: int, month: int) -> str:
    return format_date(date(year, month, 1), "MMMM yyyy")


def _survey_day(day: date) -> str:
    return format_date(day, "d MMMM yyyy")


def _survey_scores(result: Result) -> dict:
    if result.instrument.key == "monthly":
        return {"single_item": result.single_item, "burning_out": result.burning_out,
                "needs_support": result.needs_support}
    scales = {scale.value: {"score": s.score, "answered": s.answered, "needed": s.needed, "of": s.total}
              for scale, s in result.scales.items()}
    return {"scales": scales, "needs_support": result.needs_support}


def _survey_score_text(result: Result) -> str:
    if result.instrument.key == "monthly":
        if result.single_item is None:
            return _("Not answered")
        meaning = _("burning out") if result.burning_out else _("not burned out")
        return _("%(value)s of 5: %(meaning)s", value=result.single_item, meaning=meaning)
    parts = []
    for scale, s in result.scales.items():
        figure = (one_decimal(s.score) if s.scored
                  else _("not scored (%(answered)s of %(total)s answered)", answered=s.answered, total=s.total))
        parts.append(f"{SCALE_LABELS[scale]}: {figure}")
    return "; ".join(parts)


def _survey_answer_text(instrument_key: str, item_id: str, value: int) -> tuple[str, str]:
    item = INSTRUMENTS[instrument_key].item(item_id)
    labels = {o.value: str(o.label) for o in options_for(item)}
    return str(item.text), labels.get(value, str(value))


def _trend_share_data(share: TrendShare, other: str) -> dict:
    return {"id": share.id, other: getattr(share, other), "created_at": iso(share.created_at),
            "revoked_at": iso(share.revoked_at), "viewed_at": [iso(v.viewed_at) for v in share.views]}


def pulse_section(user: User) -> ExportSection:
    """Survey answers and scores, invitations, leave dates and trend shares, in a fixed number of queries."""
    responses = list(db.session.scalars(
        select(PulseResponse).join(PulseResponse.round)
        .where(PulseResponse.respondent_key == respondent_key(user.id))
        .options(selectinload(PulseResponse.answers), selectinload(PulseResponse.round))
        .order_by(PulseRound.year, PulseRound.month, PulseRound.instrument)))
    scored = [(r, score(r)) for r in responses]
    invitations = db.session.scalars(
        select(PulseInvitation).join(PulseInvitation.round).where(PulseInvitation.user_id == user.id)
        .options(contains_eager(PulseInvitation.round))
        .order_by(PulseRound.year, PulseRound.month, PulseRound.instrument)).all()
    leave = db.session.scalars(select(SurveyLeave).where(SurveyLeave.user_id == user.id)
                               .order_by(SurveyLeave.starts_on, SurveyLeave.id)).all()
    shares = db.session.scalars(select(TrendShare).where(TrendShare.owner_id == user.id)
                                .options(selectinload(TrendShare.views)).order_by(TrendShare.id)).all()
    shared_with_me = db.session.scalars(select(TrendShare).where(TrendShare.supervisor_id == user.id)
                                        .options(selectinload(TrendShare.views)).order_by(TrendShare.id)).all()

    data = {
        "responses": [
            {"year": r.round.year, "month": r.round.month, "instrument": r.instrument.value,
             "instrument_version": r.instrument_version, "language": r.language, "submitted": r.submitted,
             "answers": result.values, "comment": r.comment, "scores": _survey_scores(result)}
            for r, result in scored
        ],
        "invitations": [{"year": i.round.year, "month": i.round.month, "instrument": i.round.instrument.value,
                         "answered": i.answered} for i in invitations],
        "leave": [{"starts_on": period.starts_on.isoformat(), "ends_on": period.ends_on.isoformat(),
                   "created_at": iso(period.created_at), "marked_by_you": period.created_by_id == user.id}
                  for period in leave],
        # The supervisor and the owner appear by id only.
        "trend_shares": [_trend_share_data(share, "supervisor_id") for share in shares],
        "trend_shares_with_you": [_trend_share_data(share, "owner_id") for share in shared_with_me],
    }

    languages = {"en": "English", "cy": "Cymraeg"}
    never = _("You have not answered a wellbeing survey.")
    tables = [
        PdfTable(
            _("Your wellbeing survey answers"),
            [_("Month"), _("Survey"), _("Language"), _("Status"), _("Scores")],
            [[_survey_month(r.round.year, r.round.month), str(result.instrument.title),
              languages.get(r.language, r.language), _("Submitted") if r.submitted else _("Draft"),
              _survey_score_text(result)] for r, result in scored],
            empty=never, widths=[14, 20, 12, 12, 42],
        ),
        PdfTable(
            _("Your answers, question by question"),
            [_("Month"), _("Survey"), _("Question"), _("Your answer")],
            [[_survey_month(r.round.year, r.round.month), str(result.instrument.title),
              *_survey_answer_text(result.instrument.key, a.item, a.value)]
             for r, result in scored for a in r.answers],
            empty=never, widths=[14, 18, 40, 28],
        ),
        PdfTable(
            _("Your comments on the wellbeing survey"),
            [_("Month"), _("Comment")],
            [[_survey_month(r.round.year, r.round.month), r.comment] for r, _result in scored if r.comment],
            empty=_("You have not written a comment."), widths=[20, 80],
        ),
        PdfTable(
            _("Wellbeing surveys you were asked to answer"),
            [_("Month"), _("Survey"), _("Answered")],
            [[_survey_month(i.round.year, i.round.month), str(INSTRUMENTS[i.round.instrument.value].title),
              _("Answered") if i.answered else _("Not answered")] for i in invitations],
            empty=_("You have not been asked to answer a wellbeing survey."),
        ),
        PdfTable(
            _("Your leave from wellbeing surveys"),
            [_("From"), _("To"), _("Added by")],
            [[_survey_day(p.starts_on), _survey_day(p.ends_on),
              _("You") if p.created_by_id == user.id else _("An admin of your organisation")] for p in leave],
            empty=_("You have not added any leave."),
        ),
        PdfTable(
            _("Your wellbeing trend shared with a supervisor"),
            [_("Shared"), _("Stopped"), _("Times viewed"), _("Last viewed")],
            [[s.created_at, s.revoked_at, len(s.views), s.views[0].viewed_at if s.views else None] for s in shares],
            empty=_("You have not shared your wellbeing trend."),
        ),
    ]
    if shared_with_me:
        tables.append(PdfTable(
            _("Wellbeing trends shared with you"),
            [_("Shared"), _("Stopped"), _("Times you viewed it")],
            [[s.created_at, s.revoked_at, len(s.views)] for s in shared_with_me],
        ))
    return ExportSection("wellbeing_surveys", data, tables)


# Each domain that holds a person's data adds its exporter here, in the order the PDF shows them.
EXPORTERS: list[Exporter] = [
    account_section,
    roles_section,
    reflections_section,
    bookings_section,
    debriefs_section,
    pulse_section,
    notifications_section,
    emails_section,
    activity_section,
    invitations_section,
]
