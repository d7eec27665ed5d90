"""Who reaches what: anything not yours, or not for your role, is a 404."""

import pytest
from sqlalchemy import select

from apec.accounts.models import User
from apec.extensions import db
from apec.notifications.models import Message

from .conftest import DEMO_PASSWORD, login, submit

ENTERPRISE_PAGES = [
    "/user-center/", "/user-center/documents", "/user-center/messages/", "/enterprise/persons", "/enterprise/persons/new",
    "/enterprise/addresses", "/enterprise/invoices", "/user-center/history", "/apply/",
]
ENTERPRISE_ADMIN_PAGES = ["/enterprise/handlers", "/enterprise/handlers/new"]
REVIEWER_PAGES = ["/staff/"]
PROVINCE_ADMIN_PAGES = ["/admin/"]
ALL_PAGES = ENTERPRISE_PAGES + ENTERPRISE_ADMIN_PAGES + REVIEWER_PAGES + PROVINCE_ADMIN_PAGES

ALLOWED = {
    "enterprise_admin": ENTERPRISE_PAGES + ENTERPRISE_ADMIN_PAGES,
    "handler": ENTERPRISE_PAGES,
    "reviewer": REVIEWER_PAGES,
    "province_admin": PROVINCE_ADMIN_PAGES,
}


@pytest.fixture
def accounts(app, make_enterprise, make_staff):
    from apec.accounts.services import create_handler
    from apec.enterprises.models import Enterprise

    enterprise_id, admin_email = make_enterprise()
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        admin = db.session.scalar(select(User).where(User.email == admin_email))
        create_handler(enterprise, name="李经办", email="jingban@example.com", mobile="13800000009",
                       password=DEMO_PASSWORD, actor=admin)
    make_staff("shenhe@example.com")
    make_staff("admin@example.com", role="province_admin", office=None)
    return {
        "enterprise_admin": (admin_email, "enterprise"),
        "handler": ("jingban@example.com", "handler"),
        "reviewer": ("shenhe@example.com", "staff"),
        "province_admin": ("admin@example.com", "staff"),
    }


@pytest.mark.parametrize("page", ALL_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_reaches_only_its_own_pages(client, accounts, role):
    email, tab = accounts[role]
    assert login(client, email, tab=tab).status_code == 303
    for page in ALL_PAGES:
        expected = 200 if page in ALLOWED[role] else 404
        assert client.get(page).status_code == expected, f"{role} GET {page}"


@pytest.fixture
def two_enterprises(app, make_enterprise):
    from apec.accounts.services import create_handler
    from apec.enterprises.models import Enterprise

    ids = {}
    for label in ("a", "b"):
        enterprise_id, email = make_enterprise(email=f"{label}@example.com")
        with app.app_context():
            enterprise = db.session.get(Enterprise, enterprise_id)
            admin = db.session.scalar(select(User).where(User.email == email))
            handler = create_handler(enterprise, name=f"经办{label}", email=f"handler.{label}@example.com",
                                     mobile="13800000009", password=DEMO_PASSWORD, actor=admin)
            message = Message(user_id=admin.id, title=f"{label} 的消息")
            db.session.add(message)
            db.session.commit()
            ids[label] = {"handler": handler.id, "message": message.id}
    return ids


def test_another_enterprises_handler_is_a_404_and_stays_unchanged(client, scalar, count, two_enterprises):
    login(client, "a@example.com")
    other = two_enterprises["b"]["handler"]
    assert client.get(f"/enterprise/handlers/{other}/edit").status_code == 404
    response = submit(client, f"/enterprise/handlers/{other}/deauthorise", {}, page="/enterprise/handlers")
    assert response.status_code == 404
    response = submit(client, f"/enterprise/handlers/{other}/edit",
                      {"name": "改名", "mobile": "13800000001"}, page="/enterprise/handlers")
    assert response.status_code == 404
    handler = scalar(select(User).where(User.id == other))
    assert handler.active and handler.name == "经办b"


def test_own_handler_is_reachable(client, two_enterprises):
    login(client, "a@example.com")
    assert client.get(f"/enterprise/handlers/{two_enterprises['a']['handler']}/edit").status_code == 200


def test_another_users_message_is_a_404(client, scalar, count, two_enterprises):
    login(client, "a@example.com")
    other = two_enterprises["b"]["message"]
    response = submit(client, f"/user-center/messages/{other}/read", {}, page="/user-center/messages/")
    assert response.status_code == 404
    assert scalar(select(Message).where(Message.id == other)).read_at is None
    page = client.get("/user-center/messages/").get_data(as_text=True)
    assert "a 的消息" in page and "b 的消息" not in page


def test_reviewer_sees_its_office_not_another(client, make_staff):
    make_staff("baoding@example.com", office="baoding")
    login(client, "baoding@example.com", tab="staff")
    page = client.get("/staff/").get_data(as_text=True)
    assert "保定市人民政府外事办公室" in page
    assert "石家庄市人民政府外事办公室" not in page
