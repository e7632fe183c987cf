"""The author's downloads of their own reflections: all of them as PDF or JSON, or one as PDF."""
from __future__ import annotations

from flask import Response
from flask_login import current_user

from ..accounts.models import Role
from ..db import utcnow
from ..permissions import role_required
from . import export
from .blueprint import bp
from .loaders import reflection_for_author_or_404


def _me():
    return current_user._get_current_object()


def _download(body: bytes, *, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Never kept by a browser or a proxy: this is the person's most private writing.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.pdf")
@role_required(Role.link_worker)
def export_pdf():
    now = utcnow()
    pdf = export.pdf_document(author=_me(), reflections=export.reflections_of(_me()), now=now)
    return _download(pdf, mimetype="application/pdf", name=export.file_name("pdf", now=now))


@bp.get("/<int:reflection_id>/export.pdf")
@role_required(Role.link_worker)
def export_one_pdf(reflection_id: int):
    reflection = export.with_everything(reflection_for_author_or_404(_me(), reflection_id))
    now = utcnow()
    pdf = export.pdf_document(author=_me(), reflections=[reflection], now=now, single=True)
    return _download(pdf, mimetype="application/pdf", name=export.file_name("pdf", now=now, reflection=reflection))


@bp.get("/export.json")
@role_required(Role.link_worker)
def export_json():
    now = utcnow()
    document = export.json_document(author=_me(), reflections=export.reflections_of(_me()), now=now)
    return _download(document, mimetype="application/json", name=export.file_name("json", now=now))
