import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import TimestampMixin


class Message(TimestampMixin, db.Model):
    """An entry of a user's 消息中心."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class MailOutbox(TimestampMixin, db.Model):
    """E-mail written instead of sent (APEC_MAIL_BACKEND=outbox: demo and tests)."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")


class SmsOutbox(TimestampMixin, db.Model):
    """SMS written by the default sender, for an operator or a gateway to pick up."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mobile: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
