"""`flask demo-data`: every province's accounts log in and land where their role works."""

import pytest
from sqlalchemy import select, text

from apec.demo import DEMO_PASSWORD
from apec.enterprises.models import Person
from apec.extensions import db
from apec.provinces.registry import discover_provinces

PROVINCES = tuple(discover_provinces())
from apec.validators import is_valid_id_number, is_valid_passport_number, is_valid_uscc

from .conftest import login

OFFICE_COUNTS = {"hunan": 2, "guangxi": 2, "hebei": 16, "liaoning": 16}


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_data_creates_every_account_once(app, demo):
    assert DEMO_PASSWORD in demo
    expected = sum(3 + offices for offices in OFFICE_COUNTS.values())
    assert f"{expected} new accounts" in demo
    again = app.test_cli_runner().invoke(args=["demo-data"])
    assert "0 new accounts" in again.output, "running it twice adds nothing"


@pytest.mark.parametrize("code", PROVINCES)
def test_demo_accounts_of_each_province_log_in_to_their_own_pages(app, demo, code):
    landing = {
        (f"qiye.{code}@example.com", "enterprise"): ("/user-center/", "经办人管理"),
        (f"jingban.{code}@example.com", "handler"): ("/user-center/", "消息中心"),
        (f"admin.{code}@example.com", "staff"): ("/admin/", "管理后台"),
    }
    first_office = {"hunan": "hunan", "guangxi": "guangxi", "hebei": "shijiazhuang", "liaoning": "anshan"}[code]
    landing[(f"shenhe.{code}.{first_office}@example.com", "staff")] = ("/staff/", "已提交，待受理")
    landing[(f"shenhe.{code}.mfa@example.com", "staff")] = ("/staff/", "外交部领事司")
    for (email, tab), (path, text_on_page) in landing.items():
        client = app.test_client()
        response = login(client, email, tab=tab)
        assert response.status_code == 303, email
        assert response.headers["Location"].endswith(path), email
        page = client.get(path).get_data(as_text=True)
        assert text_on_page in page, email


def test_demo_persons_have_valid_numbers_that_are_encrypted_at_rest(app, demo):
    with app.app_context():
        persons = db.session.scalars(select(Person)).all()
        assert len(persons) == 3 * len(PROVINCES)
        for person in persons:
            assert is_valid_id_number(person.id_number), person.id_number
            assert is_valid_passport_number(person.passport_number)
            assert is_valid_uscc(person.enterprise.uscc)
        raw = " ".join(
            str(value)
            for row in db.session.execute(text("SELECT * FROM person")).all()
            for value in row
        )
        for person in persons:
            assert person.id_number not in raw, "a database dump shows no ID numbers"
            assert person.passport_number not in raw


@pytest.mark.parametrize("code", PROVINCES)
def test_each_province_has_a_card_to_replace_and_an_application_to_make_early(app, demo, code):
    """Right after `make demo` each related business has a parent: a card 已自取 (换补卡, 注销卡) and
    an application in APEC经济体审核中 with some economies approved (提前制卡, 未制卡仅更换护照)."""
    from apec.accounts.models import User
    from apec.applications.models import Application, Card
    from apec.applications.workflow import available_businesses

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == f"qiye.{code}@example.com"))
        applications = db.session.scalars(select(Application).where(Application.province == code)).all()
        by_status = {application.status: application for application in applications}
        assert set(by_status) == {"submitted", "picked_up", "economies_review"}
        picked_up = by_status["picked_up"]
        assert db.session.scalar(select(Card.status).where(Card.application_id == picked_up.id)) == "valid"
        assert set(available_businesses(picked_up, admin)) == {"replace", "cancel"}
        assert set(available_businesses(by_status["economies_review"], admin)) == {"early", "passport"}
        assert any(event.action == "economy_decision" for event in by_status["economies_review"].timeline), \
            "decided through the workflow, each a timeline entry"
