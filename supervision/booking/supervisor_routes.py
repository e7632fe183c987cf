"""Placeholder: the owning helper replaces this module."""
from .blueprint import bp  # noqa: F401

from flask import render_template

from ..accounts.models import Role
from ..permissions import role_required


@bp.get("/sessions")
@role_required(Role.supervisor)
def supervisor_home():
    return render_template("booking/placeholder.html")
