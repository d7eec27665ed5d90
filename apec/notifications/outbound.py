"""E-mail and SMS about an application's progress, sent after the change is committed."""

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from .. import jobs
from ..accounts.models import User
from ..extensions import db
from ..validators import is_valid_mobile
from .models import MailOutbox, SmsOutbox

_PENDING = "apec_after_commit"


def after_commit(callback) -> None:
    """Keep `callback` until the change commits; `run_after_commit` then runs it."""
    db.session.info.setdefault(_PENDING, []).append(callback)


def run_after_commit() -> None:
    for callback in db.session.info.pop(_PENDING, []):
        callback()


def drop_after_commit() -> None:
    db.session.info.pop(_PENDING, None)


def send(user_ids: list[int], title: str, body: str, sms_to: str | None = None) -> None:
    """E-mail `title` and `body` to the users, and an SMS to `sms_to` if given, as a job."""
    jobs.enqueue("apec.notifications.outbound:deliver", user_ids, title, body, sms_to)


def deliver(user_ids: list[int], title: str, body: str, sms_to: str | None) -> None:
    """The job: one e-mail per active recipient, and the SMS if its number is a mobile number."""
    users = db.session.scalars(select(User).where(User.id.in_(user_ids), User.active.is_(True))).all()
    for user in users:
        send_mail(user.email, title, body)
    if sms_to and is_valid_mobile(sms_to):
        send_sms(sms_to, f"【APEC商务旅行卡】{title}。{body}")
    db.session.commit()


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    if config["APEC_MAIL_BACKEND"] == "smtp":
        message = EmailMessage()
        message["From"] = config["MAIL_SENDER"]
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], timeout=10) as smtp:
            smtp.send_message(message)
    else:
        db.session.add(MailOutbox(to_address=to, subject=subject, body=body))


def send_sms(mobile: str, text: str) -> None:
    """Hand the SMS to the configured sender (APEC_SMS_SENDER, "module:function")."""
    jobs.resolve(current_app.config["APEC_SMS_SENDER"])(mobile, text)


def outbox_sms(mobile: str, text: str) -> None:
    """The default sender: the SMS is written to the outbox table for an operator or a gateway."""
    db.session.add(SmsOutbox(mobile=mobile, text=text))
