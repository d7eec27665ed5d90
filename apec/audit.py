"""Audit log: logins, failures, lockouts, PII views and admin actions."""

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .models_base import TimestampMixin


class AuditLog(TimestampMixin, db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    event: Mapped[str] = mapped_column(String(64), index=True)
    province: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[dict | None] = mapped_column(JSON)


def record(event: str, user=None, province: str | None = None, **detail) -> AuditLog:
    """Add an audit entry to the session; the caller's commit writes it."""
    entry = AuditLog(
        event=event,
        user_id=user.id if user is not None else None,
        province=province or (user.province if user is not None else None),
        ip=(request.remote_addr or "") if has_request_context() else "",
        detail=detail or None,
    )
    db.session.add(entry)
    return entry


def pii_viewed(what: str, user, **whose) -> AuditLog:
    """A full identity number or a file of a person (a passport scan …) shown to `user`: who saw
    what of whom, from where. `what` names the page or file (person_form, member_form, material,
    document, identity_numbers); `whose` the person, application or material ids."""
    return record("pii_view", user=user, what=what, **{key: value for key, value in whose.items() if value})
