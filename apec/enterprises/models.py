import datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..crypto import EncryptedIdentity
from ..extensions import db
from ..models_base import TimestampMixin, utcnow

OWNERSHIP_LABELS = {"state": "国有企业", "private": "民营企业", "foreign": "外资企业", "other": "其他"}
TRADE_KIND_LABELS = {"goods": "加工制造或货物贸易进出口类企业", "services": "非货物贸易类企业"}
TAX_GRADES = ("A", "B", "M", "C", "D")


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 企业名称, 统一社会信用代码 and 法人名称 are fixed after registration.
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    legal_representative: Mapped[str] = mapped_column(String(100))
    ownership: Mapped[str] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(32), index=True)
    office_code: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300), default="")
    employees: Mapped[int | None] = mapped_column(Integer)
    tax_grade: Mapped[str | None] = mapped_column(String(1))
    trade_kind: Mapped[str | None] = mapped_column(String(16))

    users = relationship("User", back_populates="enterprise", order_by="User.id")
    persons = relationship("Person", back_populates="enterprise", order_by="Person.id")

    @property
    def ownership_label(self) -> str:
        return OWNERSHIP_LABELS.get(self.ownership, self.ownership)


class Person(TimestampMixin, db.Model):
    """成员: someone the enterprise applies for; reused by 成员核查."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("enterprise_id", "id_number_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    surname_pinyin: Mapped[str] = mapped_column(String(100), default="")
    given_name_pinyin: Mapped[str] = mapped_column(String(100), default="")
    gender: Mapped[str] = mapped_column(String(1), default="")
    birth_date: Mapped[datetime.date | None] = mapped_column(Date)
    id_number_encrypted: Mapped[str | None] = mapped_column(String(200))
    id_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    mobile: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[str] = mapped_column(String(100), default="")
    passport_number_encrypted: Mapped[str | None] = mapped_column(String(200))
    passport_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    passport_type: Mapped[str] = mapped_column(String(16), default="普通")
    passport_issue_date: Mapped[datetime.date | None] = mapped_column(Date)
    passport_expiry_date: Mapped[datetime.date | None] = mapped_column(Date)
    passport_authority: Mapped[str] = mapped_column(String(100), default="")
    passport_place: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    id_number = EncryptedIdentity()
    passport_number = EncryptedIdentity()

    enterprise = relationship("Enterprise", back_populates="persons")


class AddressBookEntry(TimestampMixin, db.Model):
    __tablename__ = "address_book"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(6), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class InvoiceBookEntry(TimestampMixin, db.Model):
    __tablename__ = "invoice_book"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    tax_number: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    bank: Mapped[str] = mapped_column(String(100), default="")
    account: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    note: Mapped[str] = mapped_column(Text, default="")
