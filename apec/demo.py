"""`flask demo-data`: one enterprise and every role's account per enabled province."""

import datetime
import io

import click
from PIL import Image
from sqlalchemy import select
from stdnum.cn import ric, uscc

from .accounts.models import ROLE_ENTERPRISE_ADMIN, ROLE_HANDLER, ROLE_PROVINCE_ADMIN, ROLE_REVIEWER, User
from .accounts.passwords import hash_password
from .applications import drafts
from .applications.eligibility import prohibited_cases
from .applications.models import Application
from .applications.requirements import specs_for
from .applications.workflow import Collector, current_payment, pay_with_voucher, record_economy_decisions, transition
from .economies import preclearing_economies
from .enterprises.models import Enterprise, Person
from .enterprises.pinyin import propose_pinyin
from .extensions import db
from .materials.operations import upload_material
from .provinces.registry import enabled_provinces

DEMO_PASSWORD = "Demo2026!apec"

DEMO_PERSONS = [
    ("宋文泰", "M", datetime.date(1985, 5, 15), "13800000001", "总经理"),
    ("单丽娜", "F", datetime.date(1990, 11, 3), "13800000002", "外贸部经理"),
    ("曾志远", "M", datetime.date(1978, 2, 21), "13800000003", "销售总监"),
]


def demo_uscc(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def demo_id_number(region: str, born: datetime.date, sequence: int, gender: str) -> str:
    order = sequence * 2 + (1 if gender == "M" else 0)  # odd 顺序码 for men, even for women
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def _account(email, role, province, name, password_hash, enterprise=None, office=None):
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        return existing, False
    user = User(email=email, password_hash=password_hash, role=role, province=province, name=name,
                enterprise=enterprise, office_code=office)
    db.session.add(user)
    return user, True


def demo_provinces() -> dict:
    """The enabled provinces that have demo data (a [demo] table in their province.toml)."""
    return {code: province for code, province in enabled_provinces().items() if province.config.demo is not None}


def load_demo_data() -> list[str]:
    created = []
    password_hash = hash_password(DEMO_PASSWORD)
    for code, province in demo_provinces().items():
        spec = province.config.demo
        number = demo_uscc(spec.uscc17)
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == number))
        if enterprise is None:
            enterprise = Enterprise(
                name=spec.enterprise, uscc=number, legal_representative=spec.legal_representative,
                ownership=spec.ownership, province=code, office_code=spec.office, employees=spec.employees,
                tax_grade=spec.tax_grade, trade_kind="goods", address=f"{province.name}{province.office(spec.office).name}辖区",
            )
            db.session.add(enterprise)
            for sequence, (name, gender, born, mobile, position) in enumerate(DEMO_PERSONS, start=1):
                surname, given = propose_pinyin(name)
                person = Person(
                    enterprise=enterprise, name=name, surname_pinyin=surname, given_name_pinyin=given,
                    gender=gender, birth_date=born, mobile=mobile, position=position, passport_type="普通",
                    passport_issue_date=datetime.date(2022, 3, 1), passport_expiry_date=datetime.date(2032, 2, 28),
                    passport_authority="国家移民管理局", passport_place=province.name,
                )
                person.id_number = demo_id_number(spec.region, born, sequence, gender)
                person.passport_number = f"E{spec.region[:2]}{sequence:02d}{born:%m%d}"
                db.session.add(person)
        accounts = [
            (f"qiye.{code}@example.com", ROLE_ENTERPRISE_ADMIN, spec.enterprise, enterprise, None),
            (f"jingban.{code}@example.com", ROLE_HANDLER, "李经办", enterprise, None),
            (f"admin.{code}@example.com", ROLE_PROVINCE_ADMIN, f"{province.name}管理员", None, None),
        ] + [
            (f"shenhe.{code}.{office_code}@example.com", ROLE_REVIEWER, f"{office.name}审核员", None, office_code)
            for office_code, office in province.offices()
        ]
        for email, role, name, owner, office in accounts:
            _, new = _account(email, role, code, name, password_hash, owner, office)
            if new:
                created.append(email)
    db.session.commit()
    return created


# A one-page PDF, blank: uploads are read as PDFs (apec/materials/pdfs.py).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
            b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
            b"startxref\n164\n%%EOF\n")


def _demo_image(size) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def submit_demo_application(code: str) -> list[str]:
    """Per province: a submitted 新办, so reviewers find work in their queue; one whose card was
    已自取 (for 换补卡 and 注销卡); one in APEC经济体审核中 with some economies approved (for
    提前制卡 and 未制卡仅更换护照). Returns the numbers made; none if there were applications."""
    province = enabled_provinces()[code]
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == demo_uscc(province.config.demo.uscc17)))
    if db.session.scalar(select(Application.id).where(Application.enterprise_id == enterprise.id)):
        return []
    waiting, picked_up, partly_approved = (_submitted_new(province, enterprise, person)
                                           for person in enterprise.persons[:3])
    _walk(province, picked_up, approve=len(preclearing_economies()), to_card=True)
    _walk(province, partly_approved, approve=3)
    return [waiting.number, picked_up.number, partly_approved.number]


def _submitted_new(province, enterprise, person) -> Application:
    admin = db.session.scalar(select(User).where(User.email == f"qiye.{province.code}@example.com"))
    application = drafts.start_application(enterprise, admin, "new")
    drafts.add_member(application, person)
    application.contact_name, application.contact_phone = person.name, person.mobile
    application.pickup_method = "self"
    office = province.office(enterprise.office_code)
    application.pickup_snapshot = {"name": office.name, "address": office.address, "phone": office.phone}
    application.payment_method = province.payment.method or province.config.workflow.payment_methods[0]
    application.purpose = "赴日本、韩国洽谈进出口业务"
    application.extra = {"notice_ack": True}
    if province.config.wizard.declaration:
        declaration = {"employees": enterprise.employees, "tax_proof": "grade", "tax_grade": enterprise.tax_grade,
                       "trade_kind": "goods", "trade_note": "上年度对日本、韩国、越南进出口额约 1500 万美元"}
        if province.config.eligibility.min_social_insurance_months:
            declaration.update(social_insurance_months=36, social_insurance_matches=True)
        drafts.save_form(application, admin, contact_name=person.name, contact_phone=person.mobile,
                         declaration=declaration, prohibited=prohibited_cases(province, "new"))
    db.session.commit()
    member = application.members[0]
    today = datetime.date.today()
    for scope, member_id in (("application", None), ("member", member.id)):
        for material_spec in specs_for(province, application, scope):
            data = _demo_image(tuple(material_spec.image_size)) if material_spec.image_size else DEMO_PDF
            name = "demo.png" if material_spec.image_size else "demo.pdf"
            upload_material(application=application, member_id=member_id, spec=material_spec, title="",
                            filename=f"{material_spec.label}-{name}", data=data, actor=admin,
                            issued_on=today - datetime.timedelta(days=10) if material_spec.issued_within_months else None)
    db.session.refresh(application)
    return transition(application, "submit", admin)


def _walk(province, application: Application, *, approve: int, to_card: bool = False) -> None:
    """Take `application` through its review chain by the demo reviewers, as they would: 受理, 上报,
    审核通过, payment, `approve` economies approved; with `to_card`, the card made and 已自取."""
    def reviewer() -> User:
        return db.session.scalar(select(User).where(
            User.email == f"shenhe.{province.code}.{application.office_code}@example.com"))

    transition(application, "accept", reviewer())
    while application.status != "mfa_review":
        transition(application, "forward", reviewer())
    transition(application, "approve", reviewer())
    if application.status == "awaiting_payment":
        if current_payment(application).method == "window":
            transition(application, "confirm_payment", reviewer())
        else:
            pay_with_voucher(application, application.created_by, filename="缴费凭证.pdf", data=DEMO_PDF,
                             invoice={"title": application.enterprise.name, "tax_number": application.enterprise.uscc})
    if application.status == "payment_review":
        transition(application, "confirm_payment", reviewer())
    today = datetime.date.today()
    decisions = [{"member_id": member.id, "economy": economy.code, "decision": "approved", "decided_on": today}
                 for member in application.members for economy in preclearing_economies()[:approve]]
    record_economy_decisions(application, reviewer(), decisions)
    if to_card:
        cards = {str(member.id): f"APEC{application.id:04d}{index:04d}"
                 for index, member in enumerate(application.members, start=1)}
        transition(application, "issue_card", reviewer(), cards=cards, valid_from=today)
        holder = application.members[0].shown
        transition(application, "hand_over", reviewer(), collector=Collector(holder.name, holder.id_number))


def register_demo_cli(app):
    @app.cli.command("demo-data")
    def demo_data_command():
        """Load demo enterprises, persons and accounts for every enabled province (idempotent)."""
        created = load_demo_data()
        click.echo(f"demo data loaded: {len(created)} new accounts, password {DEMO_PASSWORD}")
        for email in created:
            click.echo(f"  {email}")
        for code in demo_provinces():
            for number in submit_demo_application(code):
                click.echo(f"  demo application {number} ({code})")
