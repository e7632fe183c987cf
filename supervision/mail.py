"""Rendering email in the recipient's language, and the transports that carry it: SMTP, or
.eml files in instance/outbox when no SMTP server is configured. Queuing lives in notifications."""
from __future__ import annotations

import os
import smtplib
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Iterator, Protocol
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import LazyString, force_locale


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render(
    *, template: str, subject: LazyString, language: str, bilingual: bool = False, **context
) -> RenderedEmail:
    """Render templates/email/<template>.txt and .html in the recipient's language.

    `subject` is a lazy string, so it is translated in that language. When we do not yet know the
    recipient's language (an invitation to a new person), `bilingual` gives Welsh first, then English.
    """
    languages = ["cy", "en"] if bilingual else [language]
    subjects, texts, htmls = [], [], []
    for lang in languages:
        with force_locale(lang):
            subjects.append(str(subject))
            texts.append(render_template(f"email/{template}.txt", language=lang, **context))
            htmls.append(render_template(f"email/{template}.html", language=lang, **context))
    return RenderedEmail(
        subject=" / ".join(subjects),
        text="\n\n----------------------------------------\n\n".join(texts),
        html="\n<hr>\n".join(htmls),
    )


def external_url(path: str) -> str:
    return current_app.config["SERVER_NAME_FOR_EMAIL"].rstrip("/") + path


def external_url_for(endpoint: str, **values) -> str:
    """An absolute link for an email. Works in a request, a scheduler job or a test alike."""
    base = urlsplit(current_app.config["SERVER_NAME_FOR_EMAIL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme, script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class FileTransport:
    """Development default: each message becomes an .eml file that any mail program opens."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        os.makedirs(directory, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        path = os.path.join(self.directory, f"{name}.eml")
        temporary = path + ".part"
        with open(temporary, "wb") as handle:
            handle.write(bytes(message))
        os.replace(temporary, path)  # a reader never sees half a message


class SMTPTransport:
    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)


def smtp_connection(config) -> smtplib.SMTP:
    timeout = config.get("MAIL_TIMEOUT", 30)
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], context=ssl.create_default_context(), timeout=timeout
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    try:
        if config.get("MAIL_USE_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except Exception:
        smtp.close()
        raise
    return smtp


@contextmanager
def open_transport() -> Iterator[Transport]:
    """One connection for a whole batch. Raises OSError or SMTPException if the server is down."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        yield FileTransport(config["MAIL_OUTBOX_DIR"])
        return
    smtp = smtp_connection(config)
    try:
        yield SMTPTransport(smtp)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def config_problems(config) -> list[str]:
    """Mistakes in the mail settings that can be seen without connecting to anything."""
    problems = []
    if not config.get("MAIL_SERVER"):
        return problems
    if config.get("MAIL_USE_SSL") and config.get("MAIL_USE_STARTTLS"):
        problems.append("MAIL_USE_SSL and MAIL_USE_STARTTLS are both on; choose one.")
    if not isinstance(config.get("MAIL_PORT"), int) or not 0 < config["MAIL_PORT"] < 65536:
        problems.append(f"MAIL_PORT {config.get('MAIL_PORT')!r} is not a port number.")
    if config.get("MAIL_USERNAME") and not config.get("MAIL_PASSWORD"):
        problems.append("MAIL_USERNAME is set but MAIL_PASSWORD is empty.")
    if "@" not in (config.get("MAIL_FROM") or ""):
        problems.append("MAIL_FROM has no email address in it.")
    return problems

