import datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import TimestampMixin


class Material(TimestampMixin, db.Model):
    """An uploaded file; its bytes live behind the storage interface."""

    __tablename__ = "material"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("application_member.id"), index=True)
    # A code from the province's material list, or None with a custom title (新增附件).
    kind: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Date the certificate was issued, for materials that must be recent.
    issued_on: Mapped[datetime.date | None] = mapped_column(Date)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # History: a file of a submitted application that was replaced or deleted is kept (the
    # office saw it); it no longer counts as uploaded. None while the file is current.
    superseded_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("material.id"))

    replaced_by = relationship("Material", remote_side=[id], foreign_keys=[replaced_by_id])
