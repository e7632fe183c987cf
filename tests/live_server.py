"""A real Cwtch server for the race tests: its own database, a thread per request, and the CSRF
token read from a page as a browser would."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from werkzeug.serving import make_server

from supervision.extensions import db

from .conftest import make_test_app

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@contextmanager
def live_server(databases, tmp_path, name: str) -> Iterator[tuple[object, str]]:
    """Yield (app, base URL) for a server on a new database called `name`."""
    app = make_test_app(databases.new(name), str(tmp_path), WTF_CSRF_SSL_STRICT=False,
                        LOGIN_THROTTLE_LIMIT=10_000)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"cwtch-{name}", daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def csrf_token_in(response: requests.Response) -> str:
    match = CSRF_RE.search(response.text)
    assert match, response.url
    return match.group(1)
