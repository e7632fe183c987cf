"""The URL fetcher every PDF uses: files in static/ and data: URIs, nothing else. A refused
resource is left out of the PDF, which is still made, and nothing is read or requested."""
from __future__ import annotations

import base64
import io
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from supervision import ROOT
from supervision.pdf import PRINT_BASE_URL, RefusedURL, StaticOnlyFetcher, fetcher, render_pdf

STATIC = ROOT / "static"
# A one-pixel PNG.
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


@pytest.fixture
def static_fetcher(app):
    with app.app_context():
        yield fetcher()


@pytest.fixture
def listener():
    """A real HTTP server on the loopback address that counts every request it gets."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- what the fetcher allows ----------------------------------------------------------------------

def test_a_static_file_by_its_static_url(static_fetcher):
    response = static_fetcher.fetch(PRINT_BASE_URL + "static/js/cwtch.js")
    assert response.read() == (STATIC / "js" / "cwtch.js").read_bytes()
    assert response.content_type in ("text/javascript", "application/javascript")
    response.close()


def test_a_static_file_by_its_file_url(static_fetcher):
    response = static_fetcher.fetch((STATIC / "src" / "cwtch.scss").as_uri())
    assert response.read() == (STATIC / "src" / "cwtch.scss").read_bytes()
    response.close()


def test_a_data_uri(static_fetcher):
    url = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    response = static_fetcher.fetch(url)
    assert response.read() == PIXEL and response.content_type == "image/png"
    response.close()


# --- what it refuses ------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "file://otherhost/etc/passwd",
    "http://127.0.0.1:8080/",
    "http://localhost/static/js/cwtch.js",  # our own static path, but over the network
    "https://127.0.0.1/static/js/cwtch.js",
    "http://169.254.169.254/latest/meta-data/",
    "https://example.org/static/js/cwtch.js",
    "ftp://127.0.0.1/file",
    "gopher://127.0.0.1:70/",
    "jar:file:///etc/passwd!/",
    "https://print.cwtch.invalid/etc/passwd",  # our origin, outside /static/
    "https://print.cwtch.invalid/static/../../../../etc/passwd",
    "https://print.cwtch.invalid/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "https://print.cwtch.invalid/static/..%2f..%2fsupervision/config.py",
    "https://print.cwtch.invalid/static//etc/passwd",
    "https://print.cwtch.invalid/static/js",  # a folder, not a file
    "https://print.cwtch.invalid/static/no-such-file.css",
    "data:text/plain;base64,not base64 at all!",
])
def test_refused(static_fetcher, url):
    with pytest.raises(RefusedURL):
        static_fetcher.fetch(url)


def test_a_file_url_that_climbs_out_of_static_is_refused(static_fetcher):
    for url in (f"file://{STATIC}/../supervision/config.py", f"file://{STATIC}/js/../../pyproject.toml",
                (ROOT / "supervision" / "config.py").as_uri()):
        with pytest.raises(RefusedURL):
            static_fetcher.fetch(url)


def test_a_symlink_out_of_static_is_refused_and_one_within_it_allowed(tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "print.css").write_text("body { color: black }")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    (static / "escape.txt").symlink_to(secret)
    (static / "css" / "alias.css").symlink_to(static / "css" / "print.css")
    (static / "up").symlink_to(tmp_path, target_is_directory=True)
    guard = StaticOnlyFetcher(static)
    for url in (PRINT_BASE_URL + "static/escape.txt", (static / "escape.txt").as_uri(),
                PRINT_BASE_URL + "static/up/secret.txt"):
        with pytest.raises(RefusedURL):
            guard.fetch(url)
    response = guard.fetch(PRINT_BASE_URL + "static/css/alias.css")
    assert response.read() == b"body { color: black }"
    response.close()


# --- rendering with refused resources ---------------------------------------------------------------

HOSTILE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Hostile</title>
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="{server}/style.css">
<style>@import url("file:///etc/passwd"); @import url("{server}/imported.css");
body {{ background: url("file:///etc/passwd"); }} h1 {{ background-image: url("{server}/bg.png"); }}</style>
</head><body><h1>Visible heading</h1>
<img src="file:///etc/passwd" alt="passwd as an image">
<img src="{server}/pixel.png" alt="a network image">
<img src="/static/../../../etc/passwd" alt="an escape">
<object data="file:///etc/passwd"></object><embed src="file:///etc/passwd">
<iframe src="file:///etc/passwd"></iframe>
<svg width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/></svg>
<p>Text after the refused resources.</p></body></html>"""


def test_a_document_that_asks_for_secrets_and_the_network_still_prints_without_them(app, listener, caplog):
    server, requests = listener
    with app.app_context(), caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = render_pdf(HOSTILE.format(server=server), title="Hostile", language="en")
    text = text_of(pdf)
    assert "Visible heading" in text and "Text after the refused resources." in text
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    assert "root:" not in text and passwd not in text
    assert b"root:x:" not in pdf
    assert requests == []  # the server never heard from us
    refusals = [r.getMessage() for r in caplog.records if "RefusedURL" in r.getMessage()]
    assert any("/etc/passwd" in message for message in refusals), refusals
    assert any(server in message for message in refusals), refusals


def test_an_svg_in_a_data_uri_cannot_reach_past_the_fetcher(app, listener):
    server, requests = listener
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" '
           f'height="20"><image xlink:href="{server}/from-svg.png" width="20" height="20"/>'
           f'<image xlink:href="file:///etc/passwd" width="20" height="20"/></svg>')
    html = (f'<html><body><p>Chart below</p><img alt="chart" src="data:image/svg+xml;base64,'
            f'{base64.b64encode(svg.encode()).decode()}"></body></html>')
    with app.app_context():
        pdf = render_pdf(html, title="Chart", language="en")
    assert "Chart below" in text_of(pdf)
    assert requests == []


def test_render_pdf_sets_title_and_language_and_no_author(app):
    with app.app_context():
        pdf = render_pdf('<html lang="en"><head><title>Ignored</title></head><body><p>Hi</p></body></html>',
                         title="Eich myfyrdodau – Cwtch", language="cy")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Eich myfyrdodau – Cwtch"
    assert reader.metadata.author is None
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged, for screen readers
