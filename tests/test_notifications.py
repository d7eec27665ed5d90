"""E-mail goes out over real SMTP after the change is committed; the job interface runs it."""

import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from apec.notifications.models import MailOutbox, Message

from .factories import add_person, submitted_application


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config[key] for key in ("APEC_MAIL_BACKEND", "MAIL_SMTP_HOST", "MAIL_SMTP_PORT")}
    app.config.update(APEC_MAIL_BACKEND="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port)
    yield inbox
    app.config.update(saved)
    controller.stop()


def test_submission_is_mailed_to_the_enterprise_over_smtp(app, scalar, count, make_enterprise, smtp_server):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    assert len(smtp_server.messages) == 1
    recipients, content = smtp_server.messages[0]
    assert recipients == [email]
    mail = message_from_bytes(content, policy=default)
    assert mail["Subject"].startswith("申请单 APEC") and mail["Subject"].endswith("已提交")
    assert "当前状态：已提交，待受理" in mail.get_content()
    assert count(MailOutbox) == 0, "sent, not written to the outbox"
    assert scalar(select(Message.title)).endswith("已提交")


def test_a_failing_mail_server_does_not_undo_the_submission(app, scalar, make_enterprise):
    from apec.applications.models import Application

    saved = {key: app.config[key] for key in ("APEC_MAIL_BACKEND", "MAIL_SMTP_HOST", "MAIL_SMTP_PORT")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(APEC_MAIL_BACKEND="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=closed_port)
    try:
        enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
        submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    finally:
        app.config.update(saved)
    assert scalar(select(Application.status)) == "submitted"
    assert scalar(select(Message.id)) is not None, "消息中心 still has it"
