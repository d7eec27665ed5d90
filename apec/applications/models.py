import datetime
from dataclasses import dataclass

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..crypto import context, decrypt
from ..extensions import db
from ..models_base import TimestampMixin, utcnow


class Application(TimestampMixin, db.Model):
    """申请单 (Guangxi: 团组; Hebei: 申报): one business for one or more members."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Assigned at submission; drafts have none.
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    province: Mapped[str] = mapped_column(String(32), index=True)
    office_code: Mapped[str] = mapped_column(String(64), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    business_type: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    status: Mapped[str] = mapped_column(String(40), default="draft", index=True)
    # Optimistic lock: a stale or double submit finds a newer version and is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    pickup_method: Mapped[str | None] = mapped_column(String(8))
    pickup_snapshot: Mapped[dict | None] = mapped_column(JSON)
    payment_method: Mapped[str | None] = mapped_column(String(16))
    invoice_snapshot: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(32))
    reason_other: Mapped[str] = mapped_column(Text, default="")
    handover_method: Mapped[str | None] = mapped_column(String(8))
    acknowledgements: Mapped[dict | None] = mapped_column(JSON)
    fee: Mapped[int] = mapped_column(Integer, default=0)
    # Step data that has no column of its own: notice acknowledged, 申报条件,
    # and what a user typed into a step that did not validate yet.
    extra: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # The last submission (what the office has seen) and the first, which 提交时间 and the date
    # filters show: a 重新提交 or a submission after 撤回 does not move it.
    submitted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    first_submitted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    # When the application came into its current hands (states.enters_stage): the overdue clock.
    stage_entered_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, index=True)
    # The reviewer of its office who has it in hand (认领 / 分配); cleared when it moves on.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    accepted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    enterprise = relationship("Enterprise")
    parent = relationship("Application", remote_side=[id])
    members = relationship(
        "ApplicationMember", back_populates="application", order_by="ApplicationMember.position"
    )
    timeline = relationship(
        "TimelineEvent", back_populates="application", order_by="TimelineEvent.id"
    )
    # The files as they are now; files replaced or deleted after a submission are history.
    materials = relationship(
        "Material", primaryjoin="and_(Application.id == Material.application_id, Material.superseded_at.is_(None))",
        order_by="Material.id", viewonly=True,
    )
    material_history = relationship(
        "Material",
        primaryjoin="and_(Application.id == Material.application_id, Material.superseded_at.is_not(None))",
        order_by="Material.id", viewonly=True,
    )
    created_by = relationship("User", foreign_keys=[created_by_id])
    assignee = relationship("User", foreign_keys=[assignee_id])

    @property
    def active_members(self) -> list["ApplicationMember"]:
        """The members whose card is still being applied for (or made): not those refused or withdrawn."""
        return [member for member in self.members if not member.ended]

    @staticmethod
    def whole_record():
        """Loader options for a page that shows the whole application: its members with their
        persons and economies' decisions, in one query each, however many members."""
        members = selectinload(Application.members)
        return (members.selectinload(ApplicationMember.person), members.selectinload(ApplicationMember.economy_decisions))

    def seal_context(self, path: str) -> str:
        """Where an identity number kept in `extra` (at `path`, e.g. "new_passport.number") lives."""
        return context(self.__tablename__, f"extra.{path}", self.id)


@dataclass(frozen=True)
class MemberView:
    """A member as shown: as submitted (the snapshot) once submitted, else the person today."""

    name: str
    surname_pinyin: str
    given_name_pinyin: str
    id_number: str
    passport_number: str
    mobile: str
    gender: str = ""
    birth_date: str = ""  # ISO dates, "" where not given
    passport_issue_date: str = ""
    passport_expiry_date: str = ""


MEMBER_OUTCOME_LABELS = {None: "办理中", "approved": "已制卡", "refused": "审核不通过", "withdrawn": "已撤回"}
ENDED_OUTCOMES = frozenset({"refused", "withdrawn"})


class ApplicationMember(TimestampMixin, db.Model):
    __tablename__ = "application_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The person's data as submitted (identity numbers stay encrypted in it).
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    # This member's own end, in a group or batch: None while in progress, "approved" once the card
    # is made, or "refused" / "withdrawn" (with the reason) while the others go on.
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_reason: Mapped[str | None] = mapped_column(Text)

    application = relationship("Application", back_populates="members")
    person = relationship("Person")
    economy_decisions = relationship("EconomyDecision", back_populates="member")

    @property
    def ended(self) -> bool:
        """Refused or withdrawn on their own: no longer part of the application's work."""
        return self.outcome in ENDED_OUTCOMES

    @property
    def outcome_label(self) -> str:
        return MEMBER_OUTCOME_LABELS[self.outcome]

    def seal_context(self, field: str) -> str:
        return context(self.__tablename__, f"snapshot.{field}", self.id)

    def unseal(self, field: str) -> str:
        """An identity number of the snapshot, decrypted."""
        token = (self.snapshot or {}).get(f"{field}_encrypted")
        return decrypt(token, self.seal_context(field)) if token else ""

    @property
    def shown(self) -> MemberView:
        if self.snapshot:
            data = self.snapshot
            return MemberView(
                name=data["name"], surname_pinyin=data["surname_pinyin"], given_name_pinyin=data["given_name_pinyin"],
                id_number=self.unseal("id_number"), passport_number=self.unseal("passport_number"),
                mobile=data.get("mobile", ""), gender=data.get("gender") or "",
                birth_date=data.get("birth_date") or "", passport_issue_date=data.get("passport_issue_date") or "",
                passport_expiry_date=data.get("passport_expiry_date") or "",
            )
        person = self.person
        return MemberView(person.name, person.surname_pinyin, person.given_name_pinyin, person.id_number,
                          person.passport_number, person.mobile, person.gender or "",
                          *(day.isoformat() if day else "" for day in (
                              person.birth_date, person.passport_issue_date, person.passport_expiry_date)))


class TimelineEvent(TimestampMixin, db.Model):
    __tablename__ = "timeline_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    office_code: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSON)

    application = relationship("Application", back_populates="timeline")
    actor = relationship("User")


class EconomyDecision(TimestampMixin, db.Model):
    __tablename__ = "economy_decision"
    __table_args__ = (UniqueConstraint("member_id", "economy"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("application_member.id"), index=True)
    economy: Mapped[str] = mapped_column(String(2))
    decision: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[datetime.date] = mapped_column(Date)
    expires_on: Mapped[datetime.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    member = relationship("ApplicationMember", back_populates="economy_decisions")


class Card(TimestampMixin, db.Model):
    __tablename__ = "card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    valid_from: Mapped[datetime.date] = mapped_column(Date)
    valid_to: Mapped[datetime.date] = mapped_column(Date)
    economies: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="valid")

    person = relationship("Person")


class Payment(TimestampMixin, db.Model):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    voucher_material_id: Mapped[int | None] = mapped_column(ForeignKey("material.id"))
    invoice: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    receipt_number: Mapped[str] = mapped_column(String(40), default="", server_default="")  # 窗口支付's 收据号


class NumberCounter(db.Model):
    """Daily sequence for application numbers, taken under a row lock."""

    __tablename__ = "number_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
