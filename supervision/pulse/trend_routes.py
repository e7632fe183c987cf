"""Placeholder: the trend pages are being built."""
from flask import render_template

from ..accounts.models import Role
from ..permissions import role_required
from .blueprint import bp


@bp.route("/trend")
@role_required(Role.link_worker)
def trend():
    return render_template("pulse/index.html")


@bp.route("/trend/sharing")
@role_required(Role.link_worker)
def shares():
    return render_template("pulse/index.html")
