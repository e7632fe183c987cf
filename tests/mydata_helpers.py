"""Downloading one's data and deleting one's account, as a person does, for the My data tests of
each feature."""
from __future__ import annotations

import io
import json
import re
import zipfile

from pypdf import PdfReader

from supervision.accounts.models import User
from supervision.extensions import db

from .conftest import post, sign_in

EXPORT = "/account/my-data/export"
DELETE = "/account/my-data/delete"


def download(app, person) -> tuple[dict, str, str]:
    """(the JSON document, the raw JSON, the PDF's text with whitespace folded)."""
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    response = post(client, EXPORT, token_from="/account/my-data")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    raw = archive.read("cwtch-my-data.json").decode("utf-8")
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read("cwtch-my-data.pdf"))).pages)
    return json.loads(raw), raw, re.sub(r"\s+", " ", pdf)


def delete_account(app, person) -> None:
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    assert post(client, DELETE, {"confirm": "y"}, token_from=DELETE).status_code == 302
    with app.app_context():
        assert db.session.get(User, person.id) is None
