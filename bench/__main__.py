"""Page-time benchmarks against targets, on a throwaway SQLite database with realistic volume.

Run with `make bench`. Prints each page's median and 95th-percentile time and fails (exit 1)
when a target is missed. Besides the admin's pages, one link worker has 2,000 reflections: their
list (no search) and a search, which decrypts and searches every one of them in Python.
"""
from __future__ import annotations

import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import insert

from supervision import create_app
from supervision.accounts import passwords
from supervision.accounts.models import Membership, Organisation, OrganisationKind, Region, Role, User
from supervision.extensions import db
from supervision.mfa.models import TotpCredential
from supervision.reflections.models import Reflection, ReflectionTheme, Status
from supervision.reflections.structures import BUILTIN_THEMES, SECTIONS, Structure

PEOPLE = 600
REFLECTIONS = 2000
ROUNDS = 40
# Targets in milliseconds for the 95th percentile, on the 2-core development machine.
TARGETS_MS = {"/home": 150, "/admin/organisations/{org}/people": 400, "/sign-in": 50}
# The link worker's pages, over their 2,000 reflections.
REFLECTION_TARGETS_MS = {"/reflections/?page=1": 150, "/reflections/?q=allotment": 500}
PASSWORD = "benchmark passphrase for cwtch"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # admins must sign in with a second step
LINK_WORKER = "writer@bench.example.org"

# Plausible sentences to vary the reflections; about one in twenty mentions the allotment.
SENTENCES = [
    "We met at the community centre and talked about what matters to them.",
    "I noticed I was rushing and made myself slow down.",
    "The referral from the surgery did not tell the whole story.",
    "Working with the housing team made a real difference this week.",
    "I felt out of my depth for a moment, then remembered to ask rather than tell.",
    "The walking group had two new faces today.",
    "A difficult conversation about money, handled with patience on both sides.",
    "I need to bring this to supervision: it stayed with me on the drive home.",
    "Small steps: one phone call made together, one form started.",
    "I was reminded how isolating winter can be for people living alone.",
]


def _text(rng: random.Random, sentences: int) -> str:
    chosen = [rng.choice(SENTENCES) for _ in range(sentences)]
    if rng.random() < 0.05:
        chosen.append("Next week we will visit the allotment project together.")
    return " ".join(chosen)


def add_reflections(author_id: int, count: int) -> None:
    """Bulk inserts, each value still encrypted on the way in by the column type."""
    rng = random.Random(2026)
    structures = list(Structure)
    themes = list(BUILTIN_THEMES)
    start = date(2026, 11, 1)
    rows, links = [], []
    for number in range(1, count + 1):
        structure = structures[number % len(structures)]
        draft = number % 10 == 0
        rows.append({
            "id": number, "author_id": author_id, "structure": structure,
            "status": Status.draft if draft else Status.complete,
            "title": f"Reflection {number}: " + rng.choice(SENTENCES)[:60],
            "practice_date": None if draft else start - timedelta(days=number // 3),
            "sections": {section.key: _text(rng, rng.randint(2, 6)) for section in SECTIONS[structure]},
            "actions": "Book supervision\nFollow up with the surgery" if number % 3 == 0 else None,
            "feeling": rng.randint(1, 5) if number % 2 else None,
        })
        links += [{"reflection_id": number, "builtin": key} for key in rng.sample(themes, rng.randint(0, 3))]
    db.session.execute(insert(Reflection), rows)
    db.session.execute(insert(ReflectionTheme), links)


def build(tmp: Path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}",
        "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
    })
    with app.app_context():
        db.create_all()
        org = Organisation(name="Bench Cluster", kind=OrganisationKind.primary_care, region=Region.powys)
        db.session.add(org)
        hashed = passwords.hash_password(PASSWORD)
        admin = User(email="admin@bench.example.org", name="Bench Admin", password_hash=hashed)
        admin.memberships.append(Membership(organisation=org, role=Role.admin))
        db.session.add(admin)
        db.session.flush()
        db.session.add(TotpCredential(user_id=admin.id, secret=TOTP_SECRET))
        for i in range(PEOPLE):
            person = User(email=f"person{i}@bench.example.org", name=f"Person {i:04d}", password_hash=hashed)
            person.memberships.append(Membership(organisation=org, role=Role.link_worker))
            db.session.add(person)
        writer = User(email=LINK_WORKER, name="Bench Writer", password_hash=hashed)
        writer.memberships.append(Membership(organisation=org, role=Role.link_worker))
        db.session.add(writer)
        db.session.flush()
        started = time.perf_counter()
        add_reflections(writer.id, REFLECTIONS)
        db.session.commit()
        print(f"{REFLECTIONS} reflections written and encrypted in {time.perf_counter() - started:.1f} s")
        return app, org.id


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                             "csrf_token": _token(client, "/sign-in")})
    if response.headers.get("Location") == "/sign-in/code":
        client.post("/sign-in/code", data={"code": pyotp.TOTP(TOTP_SECRET).now(),
                                           "csrf_token": _token(client, "/sign-in/code")})
    return client


def measure(browser, path: str, target: int) -> bool:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = browser.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    p95 = statistics.quantiles(timings, n=20)[18]
    ok = p95 <= target
    print(f"{path:45} median {statistics.median(timings):7.1f} ms  p95 {p95:7.1f} ms  "
          f"target {target} ms  {'ok' if ok else 'MISSED'}")
    return ok


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        app, org_id = build(Path(tmp))
        client = signed_in(app, "admin@bench.example.org")
        failed = False
        for template, target in TARGETS_MS.items():
            path = template.format(org=org_id)
            # The sign-in page is for people not yet signed in.
            browser = app.test_client() if path == "/sign-in" else client
            failed |= not measure(browser, path, target)
        writer = signed_in(app, LINK_WORKER)
        for path, target in REFLECTION_TARGETS_MS.items():
            failed |= not measure(writer, path, target)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
