"""Test data: files of each kind, persons, cards, and a filled-in application."""

import datetime
import io

from PIL import Image
from sqlalchemy import select
from stdnum.cn import ric, uscc

from apec.applications.models import Application, Card
from apec.enterprises.models import Person
from apec.extensions import db

from .conftest import DEMO_PASSWORD, login, submit

# 在线填表's 申报条件 as an enterprise meeting every province's standards declares it.
DECLARATION = {"employees": 50, "tax_proof": "grade", "tax_grade": "A", "trade_kind": "goods",
               "trade_note": "对日本、韩国出口", "social_insurance_months": 12, "social_insurance_matches": True}
# A one-page PDF that a PDF reader can open (an upload's PDF is read: apec/materials/pdfs.py).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
       b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
       b"startxref\n164\n%%EOF\n")
NOT_A_PDF = b"MZ\x90\x00 an executable pretending to be a pdf"


def image_bytes(size=(600, 800), color="white", kind="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


def add_person(app, enterprise_id, name="宋文泰", id_number="110105199805152516", passport="E26895502",
               passport_expiry=None) -> int:
    with app.app_context():
        person = Person(
            enterprise_id=enterprise_id, name=name, surname_pinyin="SONG", given_name_pinyin="WENTAI", gender="M",
            birth_date=datetime.date(1998, 5, 15), mobile="15225178819", position="经理", passport_type="普通",
            passport_issue_date=datetime.date(2023, 1, 1),
            passport_expiry_date=passport_expiry or datetime.date.today() + datetime.timedelta(days=4 * 365),
            passport_authority="国家移民管理局", passport_place="北京",
        )
        person.id_number = id_number
        person.passport_number = passport
        db.session.add(person)
        db.session.commit()
        return person.id


def add_card(app, person_id, valid_to, application_id=None) -> None:
    """A card issued earlier (needs an application row to belong to)."""
    from apec.applications.models import Application

    with app.app_context():
        person = db.session.get(Person, person_id)
        if application_id is None:
            old = Application(province=person.enterprise.province, office_code=person.enterprise.office_code,
                              enterprise_id=person.enterprise_id, created_by_id=person.enterprise.users[0].id,
                              business_type="new", status="picked_up", extra={})
            db.session.add(old)
            db.session.flush()
            application_id = old.id
        db.session.add(Card(person_id=person_id, application_id=application_id, number=f"APEC{person_id:08d}",
                            valid_from=valid_to - datetime.timedelta(days=5 * 365), valid_to=valid_to,
                            economies=["AU"], status="valid"))
        db.session.commit()


def start(client, business_type="new") -> int:
    response = submit(client, "/apply/start", {"business_type": business_type}, page="/apply/")
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].split("/")[2])


def upload(client, application_id, kind=None, data=PDF, filename="file.pdf", member_id=None, title=None,
           issued_on=None, htmx=False, headers=None):
    form = {"file": (io.BytesIO(data), filename)}
    if kind:
        form["kind"] = kind
    if member_id:
        form["member_id"] = str(member_id)
    if title:
        form["title"] = title
    if issued_on:
        form["issued_on"] = issued_on
    headers = {**({"HX-Request": "true"} if htmx else {}), **(headers or {})}
    return submit(client, f"/apply/{application_id}/files", form, page="/user-center/",
                  content_type="multipart/form-data", headers=headers)


def submitted_application(app, enterprise_id, person_ids, pickup="self", payment_method=None,
                          business_type="new") -> int:
    """A complete application submitted through the workflow, as the wizard would leave it."""
    from apec.accounts.models import User
    from apec.applications.workflow import transition

    application_id = ready_application(app, enterprise_id, person_ids, pickup, payment_method, business_type)
    with app.app_context():
        application = db.session.get(Application, application_id)
        transition(application, "submit", db.session.get(User, application.created_by_id))
    return application_id


def ready_application(app, enterprise_id, person_ids, pickup="self", payment_method=None,
                      business_type="new") -> int:
    """A draft with every step filled in and every file uploaded, ready to 提交."""
    from apec.accounts.models import User
    from apec.applications import drafts
    from apec.applications.models import Application
    from apec.applications.eligibility import prohibited_cases
    from apec.enterprises.models import Enterprise
    from apec.provinces.registry import get_province

    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        admin = db.session.scalar(db.select(User).where(User.enterprise_id == enterprise_id))
        province = get_province(enterprise.province)
        application = drafts.start_application(enterprise, admin, business_type)
        for person_id in person_ids:
            drafts.add_member(application, db.session.get(Person, person_id))
        application.extra = {"notice_ack": True}
        if province.config.wizard.declaration and business_type in ("new", "renew"):
            drafts.save_form(application, admin, contact_name="袁媛", contact_phone="13456767660",
                             declaration=DECLARATION, prohibited=prohibited_cases(province, business_type))
        application.contact_name, application.contact_phone = "袁媛", "13456767660"
        application.pickup_method = pickup
        application.pickup_snapshot = ({"recipient": "袁媛", "phone": "13456767660", "address": "某路1号", "postcode": ""}
                                       if pickup == "mail" else {"name": "本外办", "address": "", "phone": ""})
        application.payment_method = payment_method or province.payment.method or province.config.workflow.payment_methods[0]
        application.purpose = "洽谈业务"
        enterprise.employees, enterprise.tax_grade = 50, "A"
        db.session.commit()
        if business_type not in ("new", "renew"):
            complete_business(application)
        upload_every_material(application, admin)
        return application.id


def upload_every_material(application, actor) -> None:
    """One valid file into every slot of the application's material list (in an app context)."""
    from apec.applications.requirements import specs_for
    from apec.materials.operations import upload_material
    from apec.provinces.registry import get_province

    province = get_province(application.province)
    for scope in ("application", "member"):
        for spec in specs_for(province, application, scope):
            owners = [m.id for m in application.members] if scope == "member" else [None]
            for member_id in owners:
                data = image_bytes(tuple(spec.image_size), kind="PNG") if spec.image_size else PDF
                upload_material(application=application, member_id=member_id, spec=spec, title="",
                                filename="f.png" if spec.image_size else "f.pdf", data=data, actor=actor,
                                issued_on=datetime.date.today() if spec.issued_within_months else None)
    db.session.refresh(application)


def submit_related(app, related_id, email, reason=None) -> str:
    """A related business's 暂存 filled in (with `reason`, or its first), its files uploaded and
    submitted; its number."""
    from apec.accounts.models import User
    from apec.applications.workflow import transition

    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == email))
        application = db.session.get(Application, related_id)
        application.pickup_method = "self"
        application.pickup_snapshot = {"name": "本外办", "address": "", "phone": ""}
        complete_business(application, reason=reason)
        upload_every_material(application, actor)
        return transition(application, "submit", actor).number


def put_at_status(app, application_id, status, office, accepted=True, payment_method="voucher") -> None:
    """Put an application straight into `status` at `office`, for tests of what the screens show at
    a status (not of how it got there). `accepted`: 受理 happened once (a resubmitted application
    is 已提交 again after it). A payment is added where the status has one."""
    from apec.applications.models import Application, Payment

    with app.app_context():
        application = db.session.get(Application, application_id)
        application.status, application.office_code = status, office
        application.accepted_at = application.submitted_at if accepted else None
        has_payment = db.session.scalar(db.select(Payment.id).where(Payment.application_id == application_id))
        if status in ("awaiting_payment", "payment_review") and has_payment is None:
            db.session.add(Payment(application_id=application_id, amount=720, method=payment_method,
                                   status="pending" if status == "awaiting_payment" else "submitted"))
        db.session.commit()


def awaiting_payment(app, client, make_enterprise, province="hunan", office="hunan") -> int:
    """A submitted application of a new enterprise, now 待缴费 at the MFA stage, with `client`
    signed in as the enterprise; its id."""
    enterprise_id, email = make_enterprise(province=province, office=office)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    put_at_status(app, application_id, "awaiting_payment", "mfa")
    login(client, email)
    return application_id


# --- a Hunan application through the steps, and the version a page was read at ---

HUNAN_MEMBER_FILES = {"passport_page": PDF, "employment_proof": PDF}


def fill_form(client, application_id, person_id, **changes):
    data = {"applicant": str(person_id), "contact_name": "袁媛", "contact_phone": "13456767660", "action": "next"}
    data.update(changes)
    return submit(client, f"/apply/{application_id}/form", data)


def member_id_of(scalar, application_id):
    from apec.applications.models import ApplicationMember

    return scalar(select(ApplicationMember.id).where(ApplicationMember.application_id == application_id))


def complete_hunan(client, scalar, application_id, person_id):
    assert fill_form(client, application_id, person_id).status_code == 303
    member_id = member_id_of(scalar, application_id)
    for kind in ("business_license", "enterprise_letter"):
        assert upload(client, application_id, kind).status_code == 303
    for kind, data in HUNAN_MEMBER_FILES.items():
        assert upload(client, application_id, kind, data=data, member_id=member_id).status_code == 303
    assert upload(client, application_id, "photo", data=image_bytes(), filename="photo.jpg",
                  member_id=member_id).status_code == 303
    response = submit(client, f"/apply/{application_id}/pickup", {
        "method": "mail", "recipient": "袁媛", "phone": "13456767660", "address": "长沙市岳麓区麓山南路1号",
        "postcode": "410000", "action": "next",
    })
    assert response.status_code == 303


def version_of(scalar, application_id):
    return scalar(select(Application.version).where(Application.id == application_id))


# --- office staff acting on an application ---

def staff(app, email):
    client = app.test_client()
    assert login(client, email, tab="staff").status_code == 303
    return client


def act(client, scalar, application_id, action, **fields):
    """A staff action posted from its form (不予受理 as confirmed on its confirmation page)."""
    data = {"action": action, "version": version_of(scalar, application_id), "confirmed": "1"}
    data.update(fields)
    return submit(client, f"/staff/applications/{application_id}/act", data, page="/staff/")


def status(scalar, application_id):
    return scalar(select(Application.status).where(Application.id == application_id))


# --- Guangxi's per-member form ---

EXPIRY = (datetime.date.today() + datetime.timedelta(days=4 * 365)).isoformat()


MEMBER = {
    "id_number": "450103198511030016", "name": "黄振宁", "surname_pinyin": "", "given_name_pinyin": "",
    "gender": "", "birth_date": "", "mobile": "13977112233", "position": "总经理", "passport_number": "E45010311",
    "passport_type": "普通", "passport_issue_date": "2023-05-01", "passport_expiry_date": EXPIRY,
    "passport_authority": "国家移民管理局", "passport_place": "广西",
}


def valid_id(body17):
    return body17 + ric.calc_check_digit(body17 + "0")


def member_page(application_id, member="new"):
    return f"/apply/{application_id}/members?member={member}"


def save_member(client, application_id, action, member="new", **changes):
    data = dict(MEMBER, id_number=valid_id(MEMBER["id_number"][:17]), action=action)
    data.update(changes)
    return submit(client, member_page(application_id, member), data)


# --- 企业注册 ---

def valid_uscc(body17="91130100MA0D7R6T1"):
    return body17 + uscc.calc_check_digit(body17)


def registration(**changes):
    data = {
        "name": "河北华北机电进出口有限公司",
        "uscc": valid_uscc(),
        "legal_representative": "赵卫东",
        "ownership": "private",
        "province": "hebei",
        "office": "baoding",
        "email": "Contact@HuaBei.example.com",
        "password": DEMO_PASSWORD,
        "confirm": DEMO_PASSWORD,
    }
    data.update(changes)
    return data


NEW_PASSPORT = {"number": "E58172023", "type": "普通", "issue_date": datetime.date(2024, 8, 18),
                "expiry_date": datetime.date(2034, 8, 17), "authority": "公安部出入境管理局", "place": "HUNAN"}


def complete_business(application, reason=None) -> None:
    """在线填表 of a related business filled in as its business asks, with `reason` or its first
    (in an app context)."""
    from apec.applications import drafts
    from apec.applications.businesses import BUSINESSES

    business = BUSINESSES[application.business_type]
    drafts.save_business(
        application, contact_name="袁媛", contact_phone="13456767661",
        reason=reason or (business.reasons[0][0] if business.reasons else None),
        handover_method="onsite" if business.asks_handover else None,
        invoice={"title": "测试公司", "tax_number": "91430100MA4L2X3K8X"} if business.asks_invoice else None,
        acknowledged=bool(business.acknowledgement), new_passport=NEW_PASSPORT if business.asks_new_passport else None,
    )
