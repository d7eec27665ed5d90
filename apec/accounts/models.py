import datetime
import secrets

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import TimestampMixin

ROLE_ENTERPRISE_ADMIN = "enterprise_admin"
ROLE_HANDLER = "handler"
ROLE_REVIEWER = "reviewer"
ROLE_PROVINCE_ADMIN = "province_admin"

ROLE_LABELS = {
    ROLE_ENTERPRISE_ADMIN: "企业账号",
    ROLE_HANDLER: "经办人",
    ROLE_REVIEWER: "审核员",
    ROLE_PROVINCE_ADMIN: "省管理员",
}
ENTERPRISE_ROLES = (ROLE_ENTERPRISE_ADMIN, ROLE_HANDLER)
STAFF_ROLES = (ROLE_REVIEWER, ROLE_PROVINCE_ADMIN)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    mobile: Mapped[str] = mapped_column(String(20), default="")
    province: Mapped[str] = mapped_column(String(32), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    office_code: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # No longer written: failures are counted by web.ratelimit, with no lock anyone can trigger.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    # Part of the login cookie: rotating it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # Staff: a daily e-mail of the office's 待办 (opted into on the staff 消息中心), and when it
    # last went out: once per China day, with the messages since then.
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    digest_sent_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    enterprise = relationship("Enterprise", back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_enterprise_user(self) -> bool:
        return self.role in ENTERPRISE_ROLES

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        """A handler's or staff member's name; an enterprise account shows its enterprise."""
        if self.name:
            return self.name
        return self.enterprise.name if self.enterprise is not None else self.email

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]
