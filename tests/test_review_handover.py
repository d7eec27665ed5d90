"""已自取 at the window: the collector's name and ID number are checked against the card holders
and the enterprise's authorised 经办人; what is kept of the ID number is masked."""

import pytest
from sqlalchemy import select

from apec.accounts.models import User
from apec.accounts.services import create_handler, deauthorise_handler
from apec.applications.models import TimelineEvent
from apec.extensions import db

from .conftest import DEMO_PASSWORD
from .factories import act, add_person, put_at_status, staff, status, submitted_application


@pytest.fixture
def card_ready(app, make_enterprise, make_staff):
    enterprise_id, email = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    put_at_status(app, application_id, "card_ready", "cangzhou")
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    return {"id": application_id, "enterprise_id": enterprise_id, "email": email,
            "office": staff(app, "hebei.cangzhou@example.com")}


def hand_over(card_ready, scalar, name, id_number):
    return act(card_ready["office"], scalar, card_ready["id"], "hand_over", collector_name=name,
               collector_id=id_number)


def test_the_holder_collects_and_the_record_keeps_the_id_number_masked(app, scalar, card_ready):
    response = hand_over(card_ready, scalar, "宋文泰", "110105199805152516")
    assert response.status_code == 303 and status(scalar, card_ready["id"]) == "picked_up"
    event = scalar(select(TimelineEvent).where(TimelineEvent.action == "hand_over"))
    assert event.data["collector"] == {"name": "宋文泰", "id_number": "1101**********2516", "capacity": "持卡人本人"}
    assert "110105199805152516" not in str(event.data)
    page = card_ready["office"].get(f"/staff/applications/{card_ready['id']}").get_data(as_text=True)
    assert "<dt>领取人</dt><dd>宋文泰（持卡人本人，身份证号 1101**********2516）</dd>" in page


def _handler(app, card_ready, active=True):
    from apec.enterprises.models import Enterprise

    add_person(app, card_ready["enterprise_id"], name="李经办", id_number="110105198501010020", passport="E12345678")
    with app.app_context():
        enterprise = db.session.get(Enterprise, card_ready["enterprise_id"])
        admin = db.session.scalar(select(User).where(User.email == card_ready["email"]))
        handler = create_handler(enterprise, name="李经办", email="li@example.com", mobile="13800000000",
                                 password=DEMO_PASSWORD, actor=admin)
        if not active:
            deauthorise_handler(handler, admin)
        db.session.commit()


def test_an_authorised_handler_collects(app, scalar, card_ready):
    _handler(app, card_ready)
    assert hand_over(card_ready, scalar, "李经办", "110105198501010020").status_code == 303
    event = scalar(select(TimelineEvent).where(TimelineEvent.action == "hand_over"))
    assert event.data["collector"]["capacity"] == "经办人"


@pytest.mark.parametrize("name, id_number", [
    ("宋文泰", "110105198501010020"),  # the holder's name, someone else's ID
    ("王某", "110105199805152516"),    # the holder's ID under another name
    ("李经办", "110105198501010020"),  # a person of the enterprise whose 经办人 account is withdrawn
    ("", ""),
])
def test_anyone_else_is_refused_and_nothing_changes(app, scalar, card_ready, name, id_number):
    _handler(app, card_ready, active=False)
    response = hand_over(card_ready, scalar, name, id_number)
    assert response.status_code == 422 and status(scalar, card_ready["id"]) == "card_ready"
    assert ("不能领取" if name else "请填写领取人姓名和身份证号") in response.get_data(as_text=True)
