"""Sharing pages: the author shares and revokes; the supervisor lists, reads and comments."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..accounts.supervisors import supervisors_of
from ..db import utcnow
from ..extensions import db
from ..forms import ConfirmForm
from ..support.services import helpline_numbers
from ..identifiers import find_identifiers
from ..permissions import role_required
from . import sharing
from .blueprint import bp
from .loaders import reflection_for_author_or_404, share_for_supervisor_or_404
from .models import ReflectionShare, ShareLength
from .permissions import can_share
from .share_forms import NEXT_SESSION_HINT, CommentForm, ShareForm
from .structures import FEELINGS, SECTIONS, STRUCTURE_LABELS
from .themes import label_of

LONG_DATETIME = "d MMMM yyyy, HH:mm"  # as the templates' datetime filter


def _me():
    return current_user._get_current_object()


@bp.route("/<int:reflection_id>/share", methods=["GET", "POST"])
@role_required(Role.link_worker)
def share(reflection_id: int):
    me = _me()
    reflection = reflection_for_author_or_404(me, reflection_id)
    if not can_share(me, reflection):  # a draft is not shared
        abort(404)
    supervisors = supervisors_of(me)
    form = ShareForm(supervisors=supervisors)
    findings = []
    if supervisors and form.validate_on_submit():
        findings = find_identifiers(*reflection.texts(), helplines=helpline_numbers())
        if not findings or request.form.get("confirm_identifiers") == "1":
            supervisor = form.chosen_supervisor(supervisors)
            try:
                new_share = sharing.share_reflection(reflection=reflection, supervisor=supervisor,
                                                     length=ShareLength(form.length.data))
            except sharing.SharingError:  # they stopped supervising the author a moment ago
                db.session.rollback()
                form.supervisor.errors = [_("Select one of your supervisors")]
            else:
                db.session.commit()
                flash(_("Your reflection is shared with %(name)s until %(date)s",
                        name=supervisor.name, date=format_datetime(new_share.expires_at, LONG_DATETIME)), "success")
                return redirect(url_for("reflections.view", reflection_id=reflection.id))
    return render_template("reflections/share.html", reflection=reflection, form=form, supervisors=supervisors,
                           findings=findings, next_session_hint=NEXT_SESSION_HINT, ends=_ends())


def _ends() -> dict[str, datetime]:
    """When a share made now would end, for the hints beside each period."""
    now = utcnow()
    return {length.value: now + period for length, period in sharing.LENGTH_DAYS.items()}


@bp.post("/<int:reflection_id>/shares/<int:share_id>/revoke")
@role_required(Role.link_worker)
def revoke_share(reflection_id: int, share_id: int):
    me = _me()
    reflection = reflection_for_author_or_404(me, reflection_id)
    shared = db.session.get(ReflectionShare, share_id)
    if shared is None or shared.reflection_id != reflection.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if sharing.revoke_share(share=shared):
            db.session.commit()
            flash(_("%(name)s can no longer see this reflection", name=shared.supervisor.name), "success")
    return redirect(url_for("reflections.view", reflection_id=reflection.id))


@bp.get("/shared")
@role_required(Role.supervisor)
def shared_with_me():
    return render_template("reflections/shared_index.html", shared=sharing.shared_with(_me()))


@bp.get("/shared/<int:share_id>")
@role_required(Role.supervisor)
def shared_view(share_id: int):
    shared = share_for_supervisor_or_404(_me(), share_id)
    return _shared_page(shared, CommentForm())


@bp.post("/shared/<int:share_id>/comments")
@role_required(Role.supervisor)
def comment(share_id: int):
    shared = share_for_supervisor_or_404(_me(), share_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            sharing.add_comment(share=shared, body=form.body.data)
        except sharing.SharingError:  # only spaces once trimmed
            form.body.errors = [_("Enter your comment")]
        else:
            db.session.commit()
            flash(_("Your comment has been added. %(name)s can see it now", name=shared.reflection.author.name),
                  "success")
            return redirect(url_for("reflections.shared_view", share_id=shared.id, _anchor="comments"))
    return _shared_page(shared, form)


def _shared_page(shared: ReflectionShare, form: CommentForm):
    """Every time the reflection is shown, the view is logged for its author to see."""
    sharing.record_view(share=shared)
    db.session.commit()
    reflection = shared.reflection
    return render_template(
        "reflections/shared_view.html", share=shared, reflection=reflection, form=form,
        sections=SECTIONS[reflection.structure], structure_label=STRUCTURE_LABELS[reflection.structure],
        theme_labels=[label_of(link) for link in reflection.themes],
        feeling_label=FEELINGS.get(reflection.feeling) if reflection.feeling else None,
    )
