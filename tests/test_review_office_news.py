"""Staff are told: 新到 and 重新提交 in the staff 消息中心, an optional daily e-mail digest (once a
day however often it runs), and the province office sees each 市外办's backlog, read-only."""

import re

import pytest
from sqlalchemy import func, select

from apec.accounts.models import User
from apec.applications.models import Application
from apec.notifications.models import MailOutbox, Message

from .conftest import login, submit
from .factories import act, add_person, staff, status, submitted_application


@pytest.fixture
def hebei(app, make_enterprise, make_staff):
    enterprise_id, email = make_enterprise(province="hebei", office="cangzhou", name="沧州远航贸易有限公司")
    for address, office in (("cz1@example.com", "cangzhou"), ("cz2@example.com", "cangzhou"),
                            ("hd@example.com", "handan"), ("prov@example.com", "hebei"), ("mfa@example.com", "mfa")):
        make_staff(address, province="hebei", office=office)
    return {"enterprise_id": enterprise_id, "email": email}


def inbox(client):
    return client.get("/staff/messages/").get_data(as_text=True)


def test_arrivals_reach_the_reviewers_of_the_office_they_come_to(app, scalar, hebei):
    application_id = submitted_application(app, hebei["enterprise_id"], [add_person(app, hebei["enterprise_id"])])
    number = scalar(select(Application.number))
    city, colleague, elsewhere = (staff(app, email) for email in ("cz1@example.com", "cz2@example.com",
                                                                  "hd@example.com"))
    for reviewer in (city, colleague):
        page = inbox(reviewer)
        assert f"申请单 {number} 新到" in page and "沧州远航贸易有限公司，新办，1 人" in page
        assert f'href="/staff/applications/{application_id}"' in page, "查看申请单 opens it"
        assert re.search(r'消息中心 <span class="badge">1</span>', page), "the unread count is in the menu"
    assert number not in inbox(elsewhere), "another city's reviewers are not told"

    act(city, scalar, application_id, "accept")
    act(city, scalar, application_id, "forward")
    province = staff(app, "prov@example.com")
    assert f"申请单 {number} 新到" in inbox(province) and "沧州市人民政府外事办公室上报" in inbox(province)
    assert inbox(city).count(f"申请单 {number}") == 1, "the city is not told of what it forwarded itself"


def test_a_resubmission_tells_what_changed(app, client, scalar, hebei):
    application_id = submitted_application(app, hebei["enterprise_id"], [add_person(app, hebei["enterprise_id"])])
    number = scalar(select(Application.number))
    city = staff(app, "cz1@example.com")
    act(city, scalar, application_id, "accept")
    act(city, scalar, application_id, "return", comment="联系人电话请改为手机号码", field=["contact"])
    login(client, hebei["email"])
    from apec.applications.workflow import transition
    from apec.extensions import db

    with app.app_context():
        application = db.session.get(Application, application_id)
        application.contact_phone = "13812345678"
        transition(application, "submit", application.created_by)
    page = inbox(city)
    assert f"申请单 {number} 重新提交" in page and "已修改 联系人信息" in page


def test_messages_are_read_one_by_one_or_all_and_stay_the_reviewers_own(app, client, scalar, hebei):
    submitted_application(app, hebei["enterprise_id"], [add_person(app, hebei["enterprise_id"])])
    submitted_application(app, hebei["enterprise_id"], [add_person(app, hebei["enterprise_id"], name="李娜",
                                                                   id_number="110105199001011237",
                                                                   passport="E12345678")])
    city = staff(app, "cz1@example.com")
    mine = scalar(select(Message.id).where(Message.user_id == scalar(
        select(User.id).where(User.email == "cz1@example.com"))).order_by(Message.id))
    assert submit(city, f"/staff/messages/{mine}/read", {}, page="/staff/messages/").status_code == 303
    assert '消息中心 <span class="badge">1</span>' in inbox(city)
    colleague = staff(app, "cz2@example.com")
    assert submit(colleague, f"/staff/messages/{mine}/read", {}, page="/staff/messages/").status_code == 404
    assert submit(city, "/staff/messages/read-all", {}, page="/staff/messages/").status_code == 303
    assert "条未读" not in inbox(city) and "2 条未读" in inbox(colleague), "each reviewer reads their own"
    login(client, hebei["email"])
    assert client.get("/staff/messages/").status_code == 404, "the enterprise has its own 消息中心"
    assert city.get("/user-center/messages/").status_code == 404


def mails_to(scalar, email):
    return scalar(select(func.count(MailOutbox.id)).where(MailOutbox.to_address == email))


def run_digest(app):
    result = app.test_cli_runner().invoke(args=["staff-digest"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_daily_digest_goes_once_a_day_to_those_who_asked(app, scalar, hebei, clock):
    clock.set(2026, 12, 1, 8)
    city = staff(app, "cz1@example.com")
    page = submit(city, "/staff/messages/digest", {"daily_digest": "on"}, page="/staff/messages/")
    assert page.status_code == 303
    assert "checked" in re.search(r'<input type="checkbox" name="daily_digest"[^>]*>', inbox(city)).group(0)
    submitted_application(app, hebei["enterprise_id"], [add_person(app, hebei["enterprise_id"])])
    number = scalar(select(Application.number))

    clock.set(2026, 12, 2, 7)
    assert "sent 1 digest(s)" in run_digest(app)
    assert "sent 0 digest(s)" in run_digest(app), "a second run on the same day sends nothing"
    assert mails_to(scalar, "cz1@example.com") == 1 and mails_to(scalar, "cz2@example.com") == 0, \
        "only the reviewer who asked gets it"
    mail = scalar(select(MailOutbox).where(MailOutbox.to_address == "cz1@example.com"))
    assert "每日待办摘要（2026-12-02）" in mail.subject
    assert "当前待办 1 件，其中已超期 0 件" in mail.body and f"申请单 {number} 新到" in mail.body

    clock.set(2026, 12, 3, 7)
    run_digest(app)
    second = scalar(select(MailOutbox).where(MailOutbox.to_address == "cz1@example.com").order_by(MailOutbox.id.desc()))
    assert "没有新消息" in second.body, "yesterday's messages are not sent again"

    city = staff(app, "cz1@example.com")  # a day later: signed in again
    submit(city, "/staff/messages/digest", {}, page="/staff/messages/")
    clock.set(2026, 12, 4, 7)
    assert "sent 0 digest(s)" in run_digest(app), "switched off, nothing is sent"


def test_the_province_office_sees_each_citys_backlog_read_only(app, scalar, hebei, make_enterprise, clock):
    clock.set(2026, 11, 2, 10)  # a Monday
    late = submitted_application(app, hebei["enterprise_id"], [add_person(app, hebei["enterprise_id"])])
    clock.set(2026, 11, 12, 10)
    submitted_application(app, hebei["enterprise_id"], [add_person(app, hebei["enterprise_id"], name="李娜",
                                                                   id_number="110105199001011237",
                                                                   passport="E12345678")])
    other_id, _ = make_enterprise(province="hebei", office="handan")
    submitted_application(app, other_id, [add_person(app, other_id, name="王秀英", id_number="110105198501010020",
                                                     passport="E23456789")])
    clock.set(2026, 11, 13, 10)  # the first has waited nine working days, against Hebei's five

    province = staff(app, "prov@example.com")
    page = province.get("/staff/backlogs").get_data(as_text=True)
    row = lambda name: re.search(rf"<tr[^>]*>\s*<td>{name}</td>(?:(?!</tr>).)*</tr>", page, re.S).group(0)  # noqa: E731
    cangzhou, handan = row("沧州市人民政府外事办公室"), row("邯郸市人民政府外事办公室")
    assert re.findall(r"<td>(?:<span class=\"badge\">)?(\d+)", cangzhou)[:2] == ["2", "1"], "2 waiting, 1 overdue"
    assert "2026-11-02" in cangzhou
    assert re.findall(r"<td>(\d+)</td>", handan)[:2] == ["1", "0"]
    assert "<td>0</td>" in row("石家庄市人民政府外事办公室")

    listing = province.get("/staff/backlogs/cangzhou").get_data(as_text=True)
    assert listing.count("<tr") == 3 and "已超期 4 个工作日" in listing
    detail = province.get(f"/staff/applications/{late}").get_data(as_text=True)
    assert "沧州远航贸易有限公司" in detail
    assert 'name="action"' not in detail and "认领" not in detail, "read-only: no actions, no 认领"
    assert act(province, scalar, late, "accept").status_code in (404, 409) and status(scalar, late) == "submitted"


@pytest.mark.parametrize("email,province,office", [("cz@example.com", "hebei", "cangzhou"),
                                                   ("hn@example.com", "hunan", "hunan")])
def test_no_backlogs_for_a_city_or_a_province_without_cities(app, make_staff, email, province, office):
    make_staff(email, province=province, office=office)
    reviewer = staff(app, email)
    assert reviewer.get("/staff/backlogs").status_code == 404
    assert reviewer.get("/staff/backlogs/cangzhou").status_code == 404
    assert "各市待办" not in reviewer.get("/staff/").get_data(as_text=True)
