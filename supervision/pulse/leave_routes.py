"""Placeholder: the leave pages are being built."""
from flask import render_template

from ..accounts.models import Role
from ..permissions import role_required
from .blueprint import bp


@bp.route("/leave")
@role_required(Role.link_worker)
def leave():
    return render_template("pulse/index.html")
