"""Every screen asks the workflow: at every status, the staff page shows a form for exactly the
actions workflow.available_actions() offers that reviewer, the enterprise's page its 编辑 / 撤回 /
上传缴费凭证 (or 支付凭证) exactly when offered, and an action that is not offered answers 409 when posted and
changes nothing.

The application is put into each status directly: this test is about what the screens show and
accept at a status, not about how the application got there (the workflow tests cover that)."""

import re

import pytest
from sqlalchemy import select

from apec.accounts.models import User
from apec.applications.models import Application
from apec.applications.states import TRANSITIONS
from apec.accounts.services import create_handler
from apec.applications.workflow import action_label, available_actions, may_edit
from apec.extensions import db
from apec.statuses import STATUS_LABELS

from .conftest import DEMO_PASSWORD, login, submit
from .factories import add_person, put_at_status, submitted_application

# Where each status is: the office that holds the application then (Hebei: city → province → MFA).
AT_MFA = {"mfa_review", "awaiting_payment", "payment_review", "economies_review", "economies_review_early_made",
          "economies_done", "economies_done_early_made"}
OFFICE_AT = {status: "mfa" if status in AT_MFA else "shijiazhuang" for status in STATUS_LABELS}
OFFICE_AT["province_review"] = "hebei"
STAFF_ACTIONS = [action for action, rule in TRANSITIONS.items()
                 if "reviewer" in rule.roles and not rule.automatic and not rule.own_function]


@pytest.fixture
def hebei_application(app, make_enterprise, make_staff):
    return an_application(app, make_enterprise, make_staff, "hebei", "shijiazhuang")


def an_application(app, make_enterprise, make_staff, province, office):
    enterprise_id, email = make_enterprise(province=province, office=office)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    for code in ("shijiazhuang", "hebei", "mfa") if province == "hebei" else (office, "mfa"):
        make_staff(f"{code}@example.com", province=province, office=code)
    return application_id, email


def put_at(app, application_id, status, accepted=True):
    with app.app_context():
        application = db.session.get(Application, application_id)
        office = OFFICE_AT[status]
        if application.province != "hebei" and office != "mfa":
            office = application.enterprise.office_code
    put_at_status(app, application_id, status, office, accepted=accepted)


def offered(app, application_id, email) -> set[str]:
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == email))
        return set(available_actions(db.session.get(Application, application_id), actor))


def shown_forms(html: str) -> set[str]:
    return set(re.findall(r'name="action" value="([a-z_]+)"', html))


@pytest.mark.parametrize("status", list(STATUS_LABELS))
def test_the_staff_page_offers_exactly_the_available_actions(app, scalar, hebei_application, status):
    application_id, _ = hebei_application
    put_at(app, application_id, status)
    for office in ("shijiazhuang", "hebei", "mfa"):
        email = f"{office}@example.com"
        client = app.test_client()
        login(client, email, tab="staff")
        page = client.get(f"/staff/applications/{application_id}")
        if page.status_code == 404:
            assert not offered(app, application_id, email), "an office that cannot see it can do nothing with it"
            continue
        html = page.get_data(as_text=True)
        actions = offered(app, application_id, email)
        assert shown_forms(html) == actions - {"record_economies", "correct_economies"}, (status, office)
        assert ("保存审核结果" in html) == ("record_economies" in actions), (status, office)
        assert ("确定更正" in html) == ("correct_economies" in actions), (status, office)
        version = scalar(select(Application.version).where(Application.id == application_id))
        for action in STAFF_ACTIONS:
            if action in actions:
                continue
            refused = submit(client, f"/staff/applications/{application_id}/act",
                             {"action": action, "version": version, "comment": "测试"},
                             page=f"/staff/applications/{application_id}")
            expected = 409 if OFFICE_AT[status] == office else 404
            assert refused.status_code == expected, (status, office, action)
            assert scalar(select(Application.status).where(Application.id == application_id)) == status


def a_handler(app, email) -> str:
    """A 经办人 of the enterprise whose admin has `email`."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == email))
        create_handler(admin.enterprise, name="李经办", email="jingban@example.com", mobile="13800000009",
                       password=DEMO_PASSWORD, actor=admin)
    return "jingban@example.com"


@pytest.mark.parametrize("role", ["enterprise_admin", "handler"])
@pytest.mark.parametrize("accepted", [False, True], ids=["not-yet-accepted", "accepted-once"])
@pytest.mark.parametrize("province, office", [("hebei", "shijiazhuang"), ("hunan", "hunan")])
@pytest.mark.parametrize("status", list(STATUS_LABELS))
def test_the_enterprise_page_offers_exactly_the_available_actions(app, client, scalar, make_enterprise, make_staff,
                                                                  province, office, accepted, status, role):
    """Hebei may 撤回 before 受理, Hunan never; the enterprise's admin and its 经办人 alike."""
    application_id, email = an_application(app, make_enterprise, make_staff, province, office)
    tab = "enterprise"
    if role == "handler":
        email, tab = a_handler(app, email), "handler"
    put_at(app, application_id, status, accepted=accepted)
    assert login(client, email, tab=tab).status_code == 303
    html = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    actions = offered(app, application_id, email)
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == email))
        application = db.session.get(Application, application_id)
        editable = may_edit(application, actor)
        pay_label = action_label(application, "pay")  # Hebei's 上传缴费凭证, Hunan's 上传支付凭证
    assert (">编辑<" in html or ">继续填写<" in html) == editable, status
    assert (">撤回<" in html) == ("withdraw" in actions), status
    assert (f">{pay_label}<" in html) == ("pay" in actions), status
    if "withdraw" not in actions:
        version = scalar(select(Application.version).where(Application.id == application_id))
        refused = submit(client, f"/apply/{application_id}/withdraw", {"version": version},
                         page=f"/user-center/applications/{application_id}")
        assert refused.status_code == 409, status
        assert scalar(select(Application.status).where(Application.id == application_id)) == status
