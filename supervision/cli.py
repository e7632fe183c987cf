"""Command-line tools: create-org, create-admin, seed-demo, backup, restore, check-deploy and key rotation, on the Flask CLI."""
from __future__ import annotations

import os
import sqlite3
import subprocess  # nosec B404  # only for pg_dump and pg_restore, never with a shell
import sys
from pathlib import Path
from urllib.parse import quote

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from .support.services import seed_default_helplines
from .accounts import passwords
from .accounts.models import MIN_REPORT_K, Membership, Organisation, OrganisationKind, Region, Role, User
from .accounts.services import AccountError, check_new_password, find_user_by_email, normalise_email
from .audit.services import record
from .extensions import db


def main() -> None:
    """The `supervision` console script: the Flask CLI with this app."""
    from . import create_app

    FlaskGroup(create_app=lambda: create_app()).main(prog_name="supervision")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_org)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(check_deploy)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(reencrypt_command)
    app.cli.add_command(rotate_keys_command)


@click.command("create-org")
@with_appcontext
@click.option("--name", prompt="Organisation name")
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]), prompt=True,
              default=OrganisationKind.primary_care.value)
@click.option("--region", type=click.Choice([r.value for r in Region]), prompt="Health board area")
@click.option("--k", "report_k", type=click.IntRange(min=MIN_REPORT_K), default=MIN_REPORT_K,
              show_default=True, help="Smallest group shown in reports (5 or more)")
def create_org(name: str, kind: str, region: str, report_k: int) -> None:
    """Create an organisation."""
    name = name.strip()
    if not name or len(name) > 200:
        raise click.ClickException("Enter an organisation name of 1 to 200 characters.")
    if db.session.scalar(select(Organisation).where(Organisation.name == name)):
        raise click.ClickException(f"An organisation called {name!r} already exists.")
    organisation = Organisation(name=name, kind=OrganisationKind(kind), region=Region(region),
                                report_k=report_k)
    db.session.add(organisation)
    db.session.flush()
    seed_default_helplines(organisation)
    db.session.commit()
    click.echo(f"Created organisation {organisation.id}: {organisation.name}")


@click.command("create-admin")
@with_appcontext
@click.option("--org", "organisation_name", prompt="Organisation name")
@click.option("--email", prompt="Email address")
@click.option("--name", prompt="Full name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(organisation_name: str, email: str, name: str, password: str) -> None:
    """Create an admin for an organisation (or give an existing person the admin role)."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name.strip()))
    if organisation is None:
        raise click.ClickException(f"No organisation called {organisation_name!r}. Run create-org first.")
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise click.ClickException("Enter a valid email address.")
    if not name.strip() or len(name.strip()) > 120:
        raise click.ClickException("Enter a full name of 1 to 120 characters.")
    user = find_user_by_email(email)
    if user is None:
        try:
            check_new_password(password, email=email, organisation_names=[organisation.name])
        except AccountError as error:
            raise click.ClickException(f"Password refused ({error.code.removeprefix('password_')}).")
        user = User(email=email, name=name.strip(), password_hash=passwords.hash_password(password))
        db.session.add(user)
    if Role.admin not in user.roles_in(organisation.id):
        user.memberships.append(Membership(organisation=organisation, role=Role.admin))
    db.session.flush()
    record(action="role_change", organisation_id=organisation.id, target_type="user",
           target_id=user.id, detail="roles: admin (command line)")
    db.session.commit()
    click.echo(f"{user.email} is an admin of {organisation.name}")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing if any account exists (used by make run).")
def seed_demo_command(if_empty: bool) -> None:
    """Create the demo organisations and accounts. Safe to run again. Development only."""
    from .demo import seed_demo

    if not (current_app.config["DEVELOPMENT"] or current_app.testing or current_app.config.get("ALLOW_DEMO")):
        raise click.ClickException("seed-demo only runs in development (FLASK_DEBUG=1).")
    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("Accounts exist already; demo data not seeded.")
        return
    summary = seed_demo()
    db.session.commit()
    click.echo(summary)


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path), required=False)
def backup(destination: Path | None) -> None:
    """Back up the database: SQLite by its online backup API, PostgreSQL by pg_dump -Fc."""
    # The engine's URL, not the setting: Flask-SQLAlchemy makes a relative SQLite path absolute.
    url = db.engine.url
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql") or not url.database:
        raise click.ClickException("backup supports SQLite files and PostgreSQL.")
    if destination is None:
        from .db import utcnow

        suffix = "dump" if backend == "postgresql" else "sqlite"
        destination = Path(current_app.instance_path) / "backups" / f"cwtch-{utcnow():%Y%m%dT%H%M%SZ}.{suffix}"
    destination.parent.mkdir(parents=True, exist_ok=True)
    if backend == "postgresql":
        flags, env = _pg_connection(url)
        try:
            _run_pg(["pg_dump", "--format=custom", *flags, "--file", str(destination), url.database], env)
            # Reading the archive's table of contents proves it is complete and readable.
            _run_pg(["pg_restore", "--list", str(destination)], env)
        except click.ClickException:
            destination.unlink(missing_ok=True)
            raise
        click.echo(f"Backed up to {destination} (pg_dump custom format, archive readable)")
        return
    source_path = Path(url.database)
    if not source_path.exists():
        raise click.ClickException(f"No database at {source_path}.")
    source = sqlite3.connect(str(source_path))
    target = sqlite3.connect(str(destination))
    try:
        with target:
            source.backup(target)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        source.close()
        target.close()
    if result != "ok":
        click.echo(f"Integrity check failed on {destination}: {result}", err=True)
        sys.exit(1)
    click.echo(f"Backed up to {destination} (integrity check: ok)")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(source: Path, yes: bool) -> None:
    """Replace the database with a backup made by `backup`. Stop the web app and scheduler first."""
    url = db.engine.url
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql") or not url.database:
        raise click.ClickException("restore supports SQLite files and PostgreSQL.")
    if backend == "sqlite":
        _check_sqlite_backup(source)
    if not yes:
        click.confirm(f"Everything in {url.database} will be replaced by {source}. Continue?", abort=True)
    # Our own pooled connections would hold locks on the tables being replaced.
    db.session.remove()
    db.engine.dispose()
    if backend == "postgresql":
        flags, env = _pg_connection(url)
        _run_pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 *flags, "--dbname", url.database, str(source)], env)
    else:
        backup_copy = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
        live = sqlite3.connect(url.database)
        try:
            backup_copy.backup(live)
            result = live.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            backup_copy.close()
            live.close()
        if result != "ok":
            raise click.ClickException(f"Integrity check failed on {url.database} after restoring: {result}")
    click.echo(f"Restored {url.database} from {source}")


def _check_sqlite_backup(path: Path) -> None:
    """Refuse a file that is not a sound Cwtch SQLite database before touching the live one."""
    try:
        copy = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        try:
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a SQLite database: {error}")
    if result != "ok":
        raise click.ClickException(f"Integrity check failed on {path}: {result}. Nothing was restored.")
    if "user_account" not in tables:
        raise click.ClickException(f"{path} is not a Cwtch backup (it has no user_account table).")


def _pg_connection(url) -> tuple[list[str], dict[str, str]]:
    """Connection flags for pg_dump and pg_restore. The password goes in the environment only:
    a command line is visible to every user of the machine."""
    flags: list[str] = []
    query = {key: (value[0] if isinstance(value, tuple) else value) for key, value in url.query.items()}
    for flag, value in (("--host", url.host or query.get("host")), ("--port", url.port),
                        ("--username", url.username)):
        if value:
            flags.append(f"{flag}={value}")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if query.get("sslmode"):
        env["PGSSLMODE"] = query["sslmode"]
    return flags, env


def _run_pg(command: list[str], env: dict[str, str]) -> None:
    try:
        # A fixed program with a list of arguments and no shell: nothing in them is interpreted.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603  # see above
    except FileNotFoundError:
        raise click.ClickException(f"{command[0]} was not found: install the PostgreSQL client tools.")
    if result.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {result.stderr.strip()}")


@click.command("check-deploy")
@with_appcontext
def check_deploy() -> None:
    """Check the settings before serving in production: exits 1 and says what to fix."""
    from .deploycheck import deployment_problems

    problems = deployment_problems(current_app._get_current_object())
    for problem in problems:
        click.echo(f"Problem: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} deployment check(s) failed.")
    click.echo("All deployment checks passed")


@click.command("scheduler")
@with_appcontext
@click.option("--once", is_flag=True, help="Run every job once (if this process gets the lease) and exit.")
def scheduler_command(once: bool) -> None:
    """Run the scheduler: one process for every domain's jobs. Never start it in web workers."""
    import logging

    from .scheduler import runner

    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler announces every run at INFO; our own log says what matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if once:
        holder = runner.holder_id()
        for job in runner.all_jobs():
            acted = runner.run_job(app, job, holder=holder)
            click.echo(f"{job.id}: {'ran' if acted else 'skipped (another scheduler holds the lease)'}")
        with app.app_context():
            from .db import utcnow
            from .scheduler import lease

            lease.release(holder=holder, now=utcnow())
        return
    runner.run(app)


@click.command("reencrypt")
@with_appcontext
def reencrypt_command() -> None:
    """Re-encrypt every encrypted column under the current (first) key. See also rotate-keys."""
    from .crypto import DecryptionError, encrypted_columns, reencrypt_all

    columns = encrypted_columns()
    try:
        count = reencrypt_all(columns)
    except DecryptionError as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing was changed: {error}")
    db.session.commit()
    click.echo(f"Re-encrypted {count} values in {len(columns)} columns under the current key.")


@click.command("rotate-keys")
@with_appcontext
@click.option("--retire-old", is_flag=True,
              help="Once everything is re-encrypted, remove the older keys (from the key file).")
def rotate_keys_command(retire_old: bool) -> None:
    """Re-encrypt every encrypted value under a new key (keys in a file) or the first key (keys in settings).

    With ENCRYPTION_KEYS_FILE: writes a new key first in the file (older keys kept for reading),
    re-encrypts everything under it and, with --retire-old, then drops the older keys. Running web
    workers and the scheduler pick up the new file by themselves. With ENCRYPTION_KEYS: it cannot
    store a key there, so it re-encrypts under the first key and says how to rotate.
    """
    from .keyrotation import RotationError, rotate_configured_keys, rotate_key_file

    try:
        if current_app.config.get("ENCRYPTION_KEYS_FILE"):
            lines = rotate_key_file(current_app.config["ENCRYPTION_KEYS_FILE"], retire_old=retire_old)
        else:
            lines = rotate_configured_keys(retire_old=retire_old)
    except RotationError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    for line in lines:
        click.echo(line)
