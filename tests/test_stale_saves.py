"""Two tabs on one step: the second save, made from a page read before the first, is refused
(409) with the current values and what was typed, and overwrites nothing — for every step kind
that saves, in every province. And 暂存 saves a draft: 已暂存 (200) with what is still missing."""

import datetime

import pytest
from sqlalchemy import select

from apec.applications.models import Application, ApplicationMember
from apec.enterprises.models import Enterprise, Person

from .conftest import VERSION_RE, csrf_token_from, login, submit
from .factories import add_person, start

EXPIRY = (datetime.date.today() + datetime.timedelta(days=4 * 365)).isoformat()
STALE = "此申请单已在另一个页面或窗口中修改并保存"

CONTACT = {"contact_name": "袁媛", "contact_phone": "13456767660", "action": "draft"}
DECLARATION = {"employees": "65", "tax_proof": "grade", "tax_grade": "B", "trade_kind": "goods",
               "trade_note": "向越南出口机械设备", "social_insurance_months": "12", "social_insurance_matches": "y",
               "not_prohibited": "y"}
MAIL = {"method": "mail", "recipient": "袁媛", "phone": "13456767660", "address": "长沙市岳麓区麓山南路1号",
        "postcode": "410000", "action": "draft"}
MEMBER = {
    "name": "宋文泰", "surname_pinyin": "SONG", "given_name_pinyin": "WENTAI", "id_number": "110105199805152516",
    "gender": "M", "birth_date": "1998-05-15", "mobile": "15225178819", "position": "经理",
    "passport_number": "E26895502", "passport_type": "普通", "passport_issue_date": "2023-01-01",
    "passport_expiry_date": EXPIRY, "passport_authority": "国家移民管理局", "passport_place": "北京",
}
REPORT = {"method": "mail", "recipient": "黄振宁", "phone": "13977112233", "address": "南宁市青秀区民族大道100号",
          "postcode": "530022", "payment_method": "online", "invoice_title": "广西测试企业有限公司",
          "invoice_tax_number": "91450100MA5K8N2P3L", "purpose": "赴日本洽谈业务", "action": "draft",
          "contact_name": "黄振宁", "contact_phone": "0771-5551234"}

OFFICES = {"hunan": "hunan", "guangxi": "guangxi", "hebei": "shijiazhuang", "liaoning": "jinzhou"}


@pytest.fixture
def applying(app, client, make_enterprise):
    """Log in as a new enterprise of `province` with one person; start a 新办: (application_id, person_id)."""

    def begin(province):
        enterprise_id, email = make_enterprise(province=province, office=OFFICES[province])
        person_id = add_person(app, enterprise_id)
        login(client, email)
        return start(client), person_id

    return begin


def two_tabs(client, url, first: dict, second: dict):
    """Open `url` twice, save `first` from one tab, then `second` from the other."""
    page = client.get(url).get_data(as_text=True)
    token, version = csrf_token_from(page), VERSION_RE.search(page).group(1)
    saved = client.post(url, data=dict(first, csrf_token=token, version=version))
    refused = client.post(url, data=dict(second, csrf_token=token, version=version))
    assert saved.status_code == 303, saved.get_data(as_text=True)
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert STALE in body
    return body


def stored(app, application_id):
    from apec.extensions import db

    with app.app_context():
        application = db.session.get(Application, application_id)
        enterprise = db.session.get(Enterprise, application.enterprise_id)
        return {"application": application.__dict__.copy(), "employees": enterprise.employees}


@pytest.mark.parametrize("province", ["hunan", "liaoning"])
def test_applicant_and_contact_step(app, client, applying, province):
    application_id, person_id = applying(province)
    url = f"/apply/{application_id}/form"
    base = dict(CONTACT, applicant=str(person_id), **(DECLARATION if province == "liaoning" else {}))
    body = two_tabs(client, url, dict(base, contact_phone="13900000001"), dict(base, contact_name="李四"))
    assert 'value="13900000001"' in body, "the current values are shown"
    assert "您这次填写、未保存的内容" in body and "联系人姓名：李四" in body, "what was typed is listed, not lost"
    now = stored(app, application_id)["application"]
    assert (now["contact_name"], now["contact_phone"]) == ("袁媛", "13900000001")


@pytest.mark.parametrize("province", ["hebei", "liaoning"])
def test_declaration_step_the_two_tabs_of_the_report(app, client, applying, province):
    """联系人电话 changed in one tab, 员工人数 in the other: the first change is not lost."""
    application_id, person_id = applying(province)
    if province == "hebei":
        submit(client, f"/apply/{application_id}/notice", {"acknowledged": "y", "action": "next"})
    base = dict(CONTACT, **DECLARATION)
    if province == "liaoning":
        base["applicant"] = str(person_id)
    body = two_tabs(client, f"/apply/{application_id}/form", dict(base, contact_phone="0311-86680000"),
                    dict(base, employees="80"))
    assert "0311-86680000" in body and "员工人数：80" in body
    now = stored(app, application_id)
    assert now["application"]["contact_phone"] == "0311-86680000"
    assert now["employees"] == 65


def test_pickup_step_hunan(app, client, applying):
    application_id, _ = applying("hunan")
    body = two_tabs(client, f"/apply/{application_id}/pickup", dict(MAIL, address="长沙市天心区1号"),
                    dict(MAIL, address="长沙市开福区2号"))
    assert "长沙市天心区1号" in body and "邮寄地址：长沙市开福区2号" in body
    assert stored(app, application_id)["application"]["pickup_snapshot"]["address"] == "长沙市天心区1号"


def test_pickup_step_liaoning(app, client, applying):
    """Liaoning's city offices hand cards out themselves: 自取 is the one choice, and a save
    from an out-of-date page is refused all the same."""
    application_id, _ = applying("liaoning")
    self_pickup = {"method": "self", "point": "0", "action": "draft"}
    two_tabs(client, f"/apply/{application_id}/pickup", self_pickup, self_pickup)
    assert stored(app, application_id)["application"]["pickup_method"] == "self"


@pytest.mark.parametrize("province", ["hebei", "guangxi"])
def test_notice_step(app, client, applying, province):
    application_id, _ = applying(province)
    page = client.get(f"/apply/{application_id}/notice").get_data(as_text=True)
    token, version = csrf_token_from(page), VERSION_RE.search(page).group(1)
    url = f"/apply/{application_id}/notice"
    assert client.post(url, data={"acknowledged": "y", "action": "next", "csrf_token": token,
                                  "version": version}).status_code == 303
    again = client.post(url, data={"acknowledged": "y", "action": "next", "csrf_token": token, "version": version})
    assert again.status_code == 409 and STALE in again.get_data(as_text=True)


def test_guangxi_member_step(app, client, applying, scalar):
    application_id, person_id = applying("guangxi")
    submit(client, f"/apply/{application_id}/notice", {"acknowledged": "y", "action": "next"})
    assert submit(client, f"/apply/{application_id}/members?member=new",
                  dict(MEMBER, action="draft")).status_code == 303
    member_id = scalar(select(ApplicationMember.id).where(ApplicationMember.application_id == application_id))
    url = f"/apply/{application_id}/members?member={member_id}"
    body = two_tabs(client, url, dict(MEMBER, mobile="13977110000", action="draft"),
                    dict(MEMBER, position="副总经理", action="draft"))
    assert "13977110000" in body and "职务：副总经理" in body
    person = scalar(select(Person).where(Person.id == person_id))
    assert (person.mobile, person.position) == ("13977110000", "经理")


def test_guangxi_report_step(app, client, applying):
    application_id, _ = applying("guangxi")
    body = two_tabs(client, f"/apply/{application_id}/report", dict(REPORT, purpose="赴日本洽谈业务"),
                    dict(REPORT, purpose="赴韩国参加展会"))
    assert "赴韩国参加展会" in body
    assert stored(app, application_id)["application"]["purpose"] == "赴日本洽谈业务"


def test_a_save_without_the_version_it_was_read_at_is_refused(app, client, applying):
    application_id, person_id = applying("hunan")
    url = f"/apply/{application_id}/form"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data=dict(CONTACT, applicant=str(person_id), csrf_token=token))
    assert response.status_code == 409
    assert stored(app, application_id)["application"]["contact_name"] == "", "nothing was saved"


# --- 暂存 saves a draft, however incomplete --------------------------------------------------


def assert_draft_saved(response, *missing):
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "已暂存" in body
    assert 'class="form-alert"' not in body, "no red banner for a draft"
    for text in missing:
        assert text in body


def test_draft_of_an_incomplete_contact_step_is_saved_with_what_is_missing(app, client, applying):
    application_id, person_id = applying("hunan")
    response = submit(client, f"/apply/{application_id}/form",
                      {"applicant": str(person_id), "contact_name": "袁媛", "contact_phone": "", "action": "draft"})
    assert_draft_saved(response, "尚未填写完整", "联系人电话")
    # What was typed survives: the page shows it when the user comes back.
    again = client.get(f"/apply/{application_id}/form").get_data(as_text=True)
    assert 'value="袁媛"' in again


def test_draft_of_an_incomplete_pickup_step_is_saved(app, client, applying):
    application_id, _ = applying("hunan")
    response = submit(client, f"/apply/{application_id}/pickup", dict(MAIL, address=""))
    assert_draft_saved(response, "邮寄地址")


def test_draft_of_an_incomplete_guangxi_member_and_report_is_saved(app, client, applying):
    application_id, _ = applying("guangxi")
    response = submit(client, f"/apply/{application_id}/members?member=new",
                      dict(MEMBER, passport_number="", action="draft"))
    assert_draft_saved(response, "护照号码")
    response = submit(client, f"/apply/{application_id}/report", dict(REPORT, purpose=""))
    assert_draft_saved(response, "申请事由")


def test_draft_of_a_hebei_batch_without_anyone_yet_is_saved(app, client, applying):
    application_id, _ = applying("hebei")
    response = submit(client, f"/apply/{application_id}/members", {"action": "draft"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已保存。尚未添加申请人" in page, "Hebei's button is 保存 (seed 003)"
    refused = submit(client, f"/apply/{application_id}/members", {"action": "next"})
    assert refused.status_code == 422 and "请至少添加一名申请人" in refused.get_data(as_text=True)


def test_a_member_check_from_an_out_of_date_page_does_not_make_it_current(app, client, applying, scalar):
    """成员核查 is a look-up: the page it answers keeps the version it was read at."""
    application_id, _ = applying("guangxi")
    submit(client, f"/apply/{application_id}/notice", {"acknowledged": "y", "action": "next"})
    submit(client, f"/apply/{application_id}/members?member=new", dict(MEMBER, action="draft"))
    member_id = scalar(select(ApplicationMember.id).where(ApplicationMember.application_id == application_id))
    url = f"/apply/{application_id}/members?member={member_id}"
    page = client.get(url).get_data(as_text=True)
    token, version = csrf_token_from(page), VERSION_RE.search(page).group(1)
    assert client.post(url, data=dict(MEMBER, mobile="13977110000", action="draft", csrf_token=token,
                                      version=version)).status_code == 303
    checked = client.post(url, data=dict(MEMBER, action="check", csrf_token=token, version=version))
    assert checked.status_code == 200 and f'name="version" value="{version}"' in checked.get_data(as_text=True)
    again = client.post(url, data=dict(MEMBER, position="副总经理", action="draft", csrf_token=token,
                                       version=version))
    assert again.status_code == 409
    assert scalar(select(Person.position).where(Person.name == "宋文泰")) == "经理"


def test_the_look_up_exemption_belongs_to_the_member_form_only(app, client, applying):
    application_id, _ = applying("hunan")
    url = f"/apply/{application_id}/pickup"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data=dict(MAIL, action="check", csrf_token=token, version="999"))
    assert response.status_code == 409
    assert stored(app, application_id)["application"]["pickup_method"] is None


def test_what_was_kept_but_not_saved_stops_submission_until_it_is_completed(app, client, scalar, make_enterprise):
    from .factories import complete_hunan, version_of

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    application_id = start(client)
    complete_hunan(client, scalar, application_id, person_id)
    kept = submit(client, f"/apply/{application_id}/form",
                  {"applicant": str(person_id), "contact_name": "袁媛", "contact_phone": "12", "action": "draft"})
    assert kept.status_code == 200 and "已暂存" in kept.get_data(as_text=True)
    refused = submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                     page="/user-center/")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "“在线填表”中有已暂存但尚未填写完整的内容" in body
    submit(client, f"/apply/{application_id}/form",
           {"applicant": str(person_id), "contact_name": "袁媛", "contact_phone": "13900001111", "action": "next"})
    done = submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                  page="/user-center/")
    assert done.status_code == 303
    assert stored(app, application_id)["application"]["contact_phone"] == "13900001111"
