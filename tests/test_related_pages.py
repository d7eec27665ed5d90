"""The related businesses' pages: the buttons on a 新办 are exactly what the workflow allows, a
business the parent does not allow is refused when posted by hand, bad input on 在线填表 gets a
message next to its field and stores nothing, and each document names the application's data."""

import re

import pytest
from sqlalchemy import func, select

from apec.applications.models import Application

from .conftest import login, submit
from .factories import add_person, put_at_status, staff, submit_related, submitted_application
from .test_documents import pdf_text
from .test_related import card_on, decide

BUTTONS = re.compile(r'(?:href="/apply/\d+/related/|action="/apply/\d+/related/)([a-z]+)"')


@pytest.fixture
def hunan(app, client, make_enterprise):
    """A Hunan 新办 (submitted) of a signed-in enterprise; (parent id, email)."""
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    login(client, email)
    return parent_id, email


def offered(client, url) -> set[str]:
    return set(BUTTONS.findall(client.get(url).get_data(as_text=True)))


@pytest.mark.parametrize("status, expected", [
    ("submitted", set()), ("mfa_review", set()), ("economies_review", {"early", "passport"}),
    ("economies_review_early_made", {"replace", "cancel"}), ("picked_up", {"replace", "cancel"}),
    ("mailed", {"replace", "cancel"}), ("rejected", set()),
])
def test_the_list_and_the_detail_offer_the_businesses_of_the_parents_status(app, client, hunan, status, expected):
    parent_id, _ = hunan
    decide(app, parent_id, approved=3)
    card_on(app, parent_id)
    put_at_status(app, parent_id, status, "mfa")
    assert offered(client, "/user-center/") == expected
    assert offered(client, f"/user-center/applications/{parent_id}") == expected


def test_a_business_posted_for_a_parent_that_does_not_allow_it_is_refused(app, client, hunan, count):
    parent_id, _ = hunan
    page = client.get("/user-center/").get_data(as_text=True)
    assert "提前制卡</a>" not in page.split('class="application-list"')[1]
    response = submit(client, f"/apply/{parent_id}/related/early", {}, page="/user-center/")
    assert response.status_code == 409
    assert "申请单当前状态为“已提交，待受理”，不能申请提前制卡" in response.get_data(as_text=True)
    assert client.get(f"/apply/{parent_id}/related/early").status_code == 409, "nor its dialog"
    assert count(Application) == 1


def test_the_early_card_dialog_names_the_economies_approved_so_far(app, client, hunan):
    parent_id, _ = hunan
    decide(app, parent_id, approved=2)
    put_at_status(app, parent_id, "economies_review", "mfa")
    page = client.get(f"/apply/{parent_id}/related/early").get_data(as_text=True)
    assert "当前获批经济体为 澳大利亚、文莱，未包含全部 APEC 经济体，提前制卡后如获更多经济体批准，可以申请换卡或补卡" in page
    response = submit(client, f"/apply/{parent_id}/related/early", {}, page=f"/apply/{parent_id}/related/early")
    assert response.status_code == 303 and response.headers["Location"].endswith("/form")


def test_a_second_open_business_of_the_same_kind_is_refused(app, client, scalar, hunan):
    parent_id, email = hunan
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "hunan")
    first = submit(client, f"/apply/{parent_id}/related/replace", {}, page="/user-center/")
    related_id = int(re.search(r"/apply/(\d+)/", first.headers["Location"]).group(1))
    number = submit_related(app, related_id, email)
    assert "replace" not in offered(client, "/user-center/")
    again = submit(client, f"/apply/{parent_id}/related/replace", {}, page="/user-center/")
    assert again.status_code == 409
    assert f"该申请单已有正在办理的换补卡申请（{number}），不能重复申请" in again.get_data(as_text=True)
    assert scalar(select(func.count()).select_from(Application).where(Application.parent_id == parent_id)) == 1


def started(client, parent_id, business) -> int:
    response = submit(client, f"/apply/{parent_id}/related/{business}", {}, page="/user-center/")
    return int(re.search(r"/apply/(\d+)/", response.headers["Location"]).group(1))


def stored(app, related_id):
    with app.app_context():
        from apec.extensions import db

        application = db.session.get(Application, related_id)
        return (application.reason, application.handover_method, application.acknowledgements,
                (application.extra or {}).get("new_passport"))


REPLACE = {"reason": "other", "reason_other": "", "contact_name": "袁媛", "contact_phone": "13456767660",
           "invoice_title": "测试企业有限公司", "invoice_tax_number": "91430100MA4L2X3K8X",
           "handover_method": "onsite", "acknowledged": "y", "action": "next"}


@pytest.mark.parametrize("changes, message", [
    ({}, "选择“其他”原因时请填写具体原因"),
    ({"reason": "damaged", "acknowledged": ""}, "请阅读后勾选"),
    ({"reason": "damaged", "handover_method": ""}, "请选择交卡方式"),
    ({"reason": ""}, "请选择换补卡原因"),
])
def test_bad_input_on_the_replacement_form_is_named_and_stores_nothing(app, client, hunan, changes, message):
    parent_id, _ = hunan
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "hunan")
    related_id = started(client, parent_id, "replace")
    response = submit(client, f"/apply/{related_id}/form", dict(REPLACE, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(app, related_id) == (None, None, None, None)


def test_a_lost_card_needs_no_tick_but_a_loss_certificate(app, client, hunan):
    parent_id, _ = hunan
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "hunan")
    related_id = started(client, parent_id, "replace")
    response = submit(client, f"/apply/{related_id}/form", dict(REPLACE, reason="lost", acknowledged=""))
    assert response.status_code == 303
    materials = client.get(f"/apply/{related_id}/materials").get_data(as_text=True)
    assert "挂失证明" in materials and "换卡报告" in materials


PASSPORT = {"reason": "full", "passport_number": "E58172023", "passport_type": "普通",
            "passport_issue_date": "2024-08-18", "passport_expiry_date": "2034-08-17",
            "passport_authority": "公安部出入境管理局", "passport_place": "JIANGSU", "contact_name": "袁媛",
            "contact_phone": "13456767660", "action": "next"}


def test_a_new_passport_expiring_before_its_issue_is_refused(app, client, hunan):
    parent_id, _ = hunan
    put_at_status(app, parent_id, "economies_review", "mfa")
    related_id = started(client, parent_id, "passport")
    response = submit(client, f"/apply/{related_id}/form", dict(PASSPORT, passport_expiry_date="2024-01-01"))
    assert response.status_code == 422
    assert "有效期至须晚于签发日期" in response.get_data(as_text=True)
    assert stored(app, related_id) == (None, None, None, None)
    assert submit(client, f"/apply/{related_id}/form", PASSPORT).status_code == 303
    assert stored(app, related_id)[0] == "full"


def test_the_documents_name_the_parent_the_card_and_the_reason(app, client, hunan, tmp_path):
    parent_id, _ = hunan
    decide(app, parent_id, approved=16)
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "hunan")
    parent_number = client.get(f"/user-center/applications/{parent_id}").get_data(as_text=True)
    parent_number = re.search(r"APEC\d{14}", parent_number).group(0)
    replace_id = started(client, parent_id, "replace")
    submit(client, f"/apply/{replace_id}/form", dict(REPLACE, reason="damaged"))
    text = pdf_text(client.get(f"/documents/{replace_id}/replace_report.pdf").data, tmp_path)
    assert "换卡报告" in text and parent_number in text and "APEC12345678" in text and "卡破损" in text
    assert "宋文泰" in text and "E26895502" in text

    cancel_id = started(client, parent_id, "cancel")
    submit(client, f"/apply/{cancel_id}/form", {"reason": "retired", "contact_name": "袁媛",
                                                 "contact_phone": "13456767660", "handover_method": "mail",
                                                 "acknowledged": "y", "action": "next"})
    text = pdf_text(client.get(f"/documents/{cancel_id}/cancel_report.pdf").data, tmp_path)
    assert "注销报告" in text and "退休" in text and "APEC12345678" in text
    assert client.get(f"/documents/{cancel_id}/replace_report.pdf").status_code == 404, "not this business's"


def test_the_passport_change_and_early_documents(app, client, hunan, tmp_path):
    parent_id, _ = hunan
    decide(app, parent_id, approved=3)
    put_at_status(app, parent_id, "economies_review", "mfa")
    passport_id = started(client, parent_id, "passport")
    submit(client, f"/apply/{passport_id}/form", PASSPORT)
    text = pdf_text(client.get(f"/documents/{passport_id}/passport_change.pdf").data, tmp_path)
    assert "护照更换申请" in text and "E26895502" in text and "E58172023" in text and "原护照满页" in text
    early_id = started(client, parent_id, "early")
    text = pdf_text(client.get(f"/documents/{early_id}/early_report.pdf").data, tmp_path)
    assert "申请报告" in text and "澳大利亚、文莱、智利" in text


def test_hebeis_card_change_form(app, client, make_enterprise, tmp_path):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang", name="河北测试有限公司")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "shijiazhuang")
    login(client, email)
    cancel_id = started(client, parent_id, "cancel")
    submit(client, f"/apply/{cancel_id}/form", {"reason": "other", "reason_other": "企业改制", "contact_name": "袁媛",
                                                 "contact_phone": "13456767660", "handover_method": "onsite",
                                                 "acknowledged": "y", "action": "next"})
    text = pdf_text(client.get(f"/documents/{cancel_id}/card_change_form.pdf").data, tmp_path)
    assert "APEC商务旅行卡办证单位制卡、换卡申请单" in text and "河北测试有限公司" in text
    assert "企业改制" in text and "APEC12345678" in text and "注销卡" in text


def test_guangxi_chooses_the_card_and_names_its_lists_as_its_guide(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "guangxi")
    login(client, email)
    tabs = client.get("/user-center/").get_data(as_text=True)
    for label in ("我的办件_提前制卡", "我的办件_换补卡", "我的办件_更换护照", "我的办件_注销"):
        assert label in tabs
    start_page = client.get("/apply/").get_data(as_text=True)
    assert ">制卡前更换护照</a>" in start_page and ">注销</a>" in start_page and "申请新卡申办" not in start_page
    chooser = client.get("/apply/related/cancel").get_data(as_text=True)
    assert "选择需要注销的APEC卡" in chooser and "APEC12345678" in chooser
    assert "暂无可以办理提前制卡的申请单" in client.get("/apply/related/early").get_data(as_text=True)


def test_hebeis_one_business_refuses_a_kind_the_chosen_declaration_does_not_allow(app, client, make_enterprise,
                                                                                  count):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "shijiazhuang")
    login(client, email)
    assert "申请制卡、换卡" in client.get("/apply/").get_data(as_text=True)
    refused = submit(client, "/apply/related", {"kind": "early", "parent": str(parent_id)})
    assert refused.status_code == 422
    assert "申请单当前状态为“已自取”，不能申请提前制卡" in refused.get_data(as_text=True)
    assert count(Application) == 1
    started_page = submit(client, "/apply/related", {"kind": "replace:lost", "parent": str(parent_id)})
    assert started_page.status_code == 303
    form = client.get(started_page.headers["Location"]).get_data(as_text=True)
    assert '<input checked id="reason-1" name="reason" required type="radio" value="lost">' in form, \
        "补卡（卡遗失） chosen with the kind"
    assert client.get("/apply/related/replace").status_code == 200, "the business's own chooser too"


def test_a_free_business_says_so_once_submitted(app, client, hunan):
    parent_id, email = hunan
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "hunan")
    cancel_id = started(client, parent_id, "cancel")
    assert "提交后计算" in client.get(f"/user-center/applications/{cancel_id}").get_data(as_text=True)
    submit_related(app, cancel_id, email)
    page = client.get(f"/user-center/applications/{cancel_id}").get_data(as_text=True)
    assert "<dt>制卡费</dt><dd>不收费</dd>" in page
    assert "注销卡需交还原 APEC 卡，我已知晓" in page and "APEC12345678" in page


def test_each_file_says_whose_it_is_on_the_detail_and_in_the_return_checklist(app, client, make_enterprise,
                                                                              make_staff):
    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi")
    people = [add_person(app, enterprise_id),
              add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")]
    application_id = submitted_application(app, enterprise_id, people)
    login(client, email)
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "APEC商务旅行卡个人事项表（宋文泰）" in detail and "APEC商务旅行卡个人事项表（单丽娜）" in detail
    reviewer = staff(app, make_staff("gx@example.com", province="guangxi", office="guangxi"))
    page = reviewer.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    checklist = page.split('name="action" value="return"')[1]
    assert "APEC商务旅行卡个人事项表（单丽娜）：" in checklist


def test_without_javascript_a_members_file_in_a_guangxi_related_business_leads_back_to_its_materials_step(
        app, client, make_enterprise):
    from .factories import member_id_of, upload

    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    put_at_status(app, parent_id, "economies_review", "mfa")
    login(client, email)
    passport_id = started(client, parent_id, "passport")
    with app.app_context():
        from apec.extensions import db

        member_id = db.session.get(Application, passport_id).members[0].id
    response = upload(client, passport_id, "new_passport_page", member_id=member_id)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/apply/{passport_id}/materials", \
        "its members step only picks members; the files are on 附件信息"
