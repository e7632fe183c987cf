"""Home pages per role, the language switch, cookies and privacy, and accessibility."""
from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import services as account_services
from ..accounts.models import Role
from ..db import utcnow
from ..extensions import db
from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from ..pulse.services import instrument_of, open_invitations
from ..security import safe_next
from . import homepages

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    return redirect(url_for("main.home"))


@bp.get("/home")
@login_required
def home():
    me = current_user._get_current_object()
    sections = homepages.sections_for(me)
    return render_template("main/home.html", sections=sections, open_surveys=_open_surveys(me))


def _open_surveys(me):
    """A link worker's open wellbeing surveys not yet answered, in a fixed number of queries."""
    if not me.has_role(Role.link_worker):
        return []
    return [(i.round, instrument_of(i.round)) for i in open_invitations(me, utcnow()) if not i.answered]


@bp.post("/language")
def switch_language():
    """Public, so that the switch works on the sign-in page too. CSRF-protected like every POST."""
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next")) or url_for("main.home")
    response = make_response(redirect(target))
    if language not in LANGUAGES:
        return response
    if current_user.is_authenticated:
        account_services.set_language(user=current_user._get_current_object(), language=language)
        db.session.commit()
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 86400, httponly=True, samesite="Lax",
        secure=request.is_secure,
    )
    return response


@bp.get("/cookies-and-privacy")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")
