"""Sending email: rendered in the recipient's language, written to instance/outbox or sent by SMTP."""
from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from uuid import uuid4

from flask import current_app, render_template
from flask_babel import LazyString, force_locale


def build_message(
    *, to: str, language: str, template: str, subject: LazyString, bilingual: bool = False, **context
) -> EmailMessage:
    """Render templates/email/<template>.txt and .html in the recipient's language.

    `subject` is a lazy string, so it is translated in the recipient's locale. When we do not yet know the
    recipient's language (an invitation), `bilingual` sends Welsh first, then English.
    """
    languages = ["cy", "en"] if bilingual else [language]
    subjects, texts, htmls = [], [], []
    for lang in languages:
        with force_locale(lang):
            subjects.append(str(subject))
            texts.append(render_template(f"email/{template}.txt", language=lang, **context))
            htmls.append(render_template(f"email/{template}.html", language=lang, **context))
    message = EmailMessage()
    message["Subject"] = " / ".join(subjects)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="cwtch.invalid")
    message.set_content("\n\n----------------------------------------\n\n".join(texts))
    message.add_alternative("\n<hr>\n".join(htmls), subtype="html")
    return message


def deliver(message: EmailMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        os.makedirs(config["MAIL_OUTBOX_DIR"], exist_ok=True)
        path = os.path.join(config["MAIL_OUTBOX_DIR"], f"{uuid4().hex}.eml")
        with open(path, "wb") as handle:
            handle.write(bytes(message))
        return
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], context=ssl.create_default_context(), timeout=30
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
    with smtp:
        if config.get("MAIL_USE_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def send(*, to: str, language: str, template: str, subject: LazyString, **context) -> None:
    deliver(build_message(to=to, language=language, template=template, subject=subject, **context))


def external_url(path: str) -> str:
    return current_app.config["SERVER_NAME_FOR_EMAIL"].rstrip("/") + path
