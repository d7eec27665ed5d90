"""Test data: files of each kind, persons, cards, and a filled-in application."""

import datetime
import io

from PIL import Image

from apec.applications.models import Card
from apec.enterprises.models import Person
from apec.extensions import db

from .conftest import submit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
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
           issued_on=None, htmx=False):
    form = {"file": (io.BytesIO(data), filename)}
    if kind:
        form["kind"] = kind
    if member_id:
        form["member_id"] = str(member_id)
    if title:
        form["title"] = title
    if issued_on:
        form["issued_on"] = issued_on
    headers = {"HX-Request": "true"} if htmx else {}
    return submit(client, f"/apply/{application_id}/files", form, page="/user-center/",
                  content_type="multipart/form-data", headers=headers)
