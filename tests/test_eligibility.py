"""Eligibility: new vs. a valid card or open application, renew window, Liaoning's standards."""

import datetime

import pytest
from sqlalchemy import func, select, update

from apec.applications.models import Application, ApplicationMember
from apec.enterprises.models import Enterprise, Person
from apec.extensions import db
from apec.timefmt import add_months

from .conftest import login, submit
from .factories import add_card, add_person, image_bytes, start, upload
from .factories import complete_hunan, fill_form, member_id_of

TODAY = datetime.date.today()


def valid_id(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.fixture
def hunan(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    return enterprise_id


def test_new_is_refused_for_a_person_with_a_valid_card(app, client, hunan):
    person_id = add_person(app, hunan)
    add_card(app, person_id, valid_to=TODAY + datetime.timedelta(days=700))
    application_id = start(client, "new")
    response = fill_form(client, application_id, person_id)
    assert response.status_code == 422
    assert "已持有有效的 APEC 卡" in response.get_data(as_text=True)
    assert "不能新办" in response.get_data(as_text=True)


def test_new_is_refused_for_a_person_with_an_open_application(app, client, scalar, hunan):
    person_id = add_person(app, hunan)
    first = start(client, "new")
    complete_hunan(client, scalar, first, person_id)
    submit(client, f"/apply/{first}/submit",
           {"version": scalar(select(Application.version).where(Application.id == first))}, page="/user-center/")
    second = start(client, "new")
    response = fill_form(client, second, person_id)
    assert response.status_code == 422
    assert "已有正在办理的申请单" in response.get_data(as_text=True)


def test_renew_needs_a_card(app, client, hunan):
    person_id = add_person(app, hunan)
    application_id = start(client, "renew")
    response = fill_form(client, application_id, person_id)
    assert "没有有效的 APEC 卡，不能续办" in response.get_data(as_text=True)


def test_renew_only_within_the_configured_months_before_expiry(app, client, hunan):
    early_id = add_person(app, hunan, name="早申请", id_number=valid_id("11010519900101123"))
    add_card(app, early_id, valid_to=TODAY + datetime.timedelta(days=400))
    application_id = start(client, "renew")
    response = fill_form(client, application_id, early_id)
    assert "到期前 6 个月内方可申请续办" in response.get_data(as_text=True)

    due_id = add_person(app, hunan, name="将到期", id_number=valid_id("11010519900202123"), passport="E26895503")
    add_card(app, due_id, valid_to=TODAY + datetime.timedelta(days=60))
    response = fill_form(client, application_id, due_id)
    assert response.status_code == 303, "a card expiring within 6 months may be renewed"


@pytest.fixture
def liaoning(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="liaoning", office="anshan")
    login(client, email)
    return enterprise_id


def liaoning_form(client, application_id, person_id, **changes):
    data = {"applicant": str(person_id), "contact_name": "王德胜", "contact_phone": "0412-5502123",
            "employees": "120", "tax_proof": "grade", "tax_grade": "A", "trade_kind": "goods",
            "trade_note": "对日本、韩国出口钢材", "social_insurance_months": "12", "social_insurance_matches": "y",
            "not_prohibited": "y", "action": "next"}
    data.update(changes)
    return submit(client, f"/apply/{application_id}/form", data)


def complete_liaoning(app, client, scalar, application_id, person_id, criminal_record_issued=None):
    assert liaoning_form(client, application_id, person_id).status_code == 303
    member_id = member_id_of(scalar, application_id)
    for kind in ("enterprise_letter", "business_license", "tax_certificate", "customs_declaration", "remittance"):
        assert upload(client, application_id, kind).status_code == 303
    for kind in ("passport_page", "social_insurance"):
        assert upload(client, application_id, kind, member_id=member_id).status_code == 303
    issued = (criminal_record_issued or TODAY - datetime.timedelta(days=10)).isoformat()
    assert upload(client, application_id, "no_criminal_record", member_id=member_id, issued_on=issued).status_code == 303
    upload(client, application_id, "photo", data=image_bytes(), filename="p.jpg", member_id=member_id)
    upload(client, application_id, "signature", data=image_bytes((300, 150), kind="PNG"), filename="s.png",
           member_id=member_id)
    response = submit(client, f"/apply/{application_id}/pickup", {"method": "self", "point": "0", "action": "next"})
    assert response.status_code == 303


def try_submit(client, scalar, application_id):
    version = scalar(select(Application.version).where(Application.id == application_id))
    return submit(client, f"/apply/{application_id}/submit", {"version": version}, page="/user-center/")


def test_liaoning_application_meeting_the_standards_is_submitted(app, client, scalar, liaoning):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    complete_liaoning(app, client, scalar, application_id, person_id)
    assert try_submit(client, scalar, application_id).status_code == 303
    application = scalar(select(Application).where(Application.id == application_id))
    assert application.status == "submitted" and application.office_code == "anshan"


def form_feedback(client, application_id, person_id, field, **changes):
    """The inline check of one field of 在线填表 (HTMX), as leaving the field asks it."""
    data = {"applicant": str(person_id), "contact_name": "王德胜", "contact_phone": "0412-5502123",
            "employees": "120", "tax_proof": "grade", "tax_grade": "A", "trade_kind": "goods",
            "trade_note": "对日本、韩国出口钢材", "social_insurance_months": "12", "social_insurance_matches": "y",
            "not_prohibited": "y", **changes}
    return submit(client, f"/apply/{application_id}/form/check", data,
                  headers={"HX-Request": "true", "HX-Trigger-Name": field}).get_data(as_text=True)


STANDARDS = [
    ({"employees": "9"}, "employees", "申办企业员工人数须在 10 人以上（当前填写 9 人）",
     {"employees": 9}),
    ({"tax_grade": "C"}, "tax_grade", "企业纳税信用等级须为 M 级（含）以上，或出具上一年度“完成依法纳税”证明（当前为 C）",
     {"tax_grade": "C"}),
    ({"social_insurance_months": "5"}, "social_insurance_months", "须提供 6 个月以上的社保缴纳明细（当前填写 5 个月）",
     {"declaration.social_insurance_months": 5}),
    ({"social_insurance_matches": ""}, "social_insurance_matches", "姓名和工作单位",
     {"declaration.social_insurance_matches": False}),
    ({"not_prohibited": ""}, "not_prohibited", "禁办情形", {"prohibited_declaration": None}),
]


@pytest.mark.parametrize("typed, field, message, stored", STANDARDS)
def test_liaoning_refuses_what_misses_a_standard_at_the_field_and_at_submission(
        app, client, scalar, liaoning, typed, field, message, stored):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    assert message in form_feedback(client, application_id, person_id, field, **typed)
    response = liaoning_form(client, application_id, person_id, **typed)
    assert response.status_code == 422 and message in response.get_data(as_text=True)

    complete_liaoning(app, client, scalar, application_id, person_id)
    with app.app_context():  # the standard changed, or the data did, while the draft waited
        application = db.session.get(Application, application_id)
        extra = {key: dict(value) if isinstance(value, dict) else value for key, value in application.extra.items()}
        for key, value in stored.items():
            if key.startswith("declaration."):
                extra["declaration"][key.split(".", 1)[1]] = value
            elif key in extra or key == "prohibited_declaration":
                extra[key] = value
            else:
                setattr(application.enterprise, key, value)
        application.extra = extra
        db.session.commit()
    response = try_submit(client, scalar, application_id)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert scalar(select(Application.status).where(Application.id == application_id)) == "draft"


def test_liaoning_takes_a_tax_paid_certificate_instead_of_a_grade(app, client, scalar, liaoning):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    assert "请选择纳税信用等级" in form_feedback(client, application_id, person_id, "tax_grade", tax_grade="")
    assert "error" not in form_feedback(client, application_id, person_id, "tax_grade", tax_grade="", tax_proof="paid")
    complete_liaoning(app, client, scalar, application_id, person_id)
    assert liaoning_form(client, application_id, person_id, tax_proof="paid", tax_grade="").status_code == 303
    assert try_submit(client, scalar, application_id).status_code == 303
    assert scalar(select(Application.extra).where(Application.id == application_id))["declaration"]["tax_proof"] == "paid"
    assert scalar(select(Enterprise.tax_grade).where(Enterprise.id == liaoning)) is None


def test_liaoning_prohibited_cases_are_declared_with_who_and_when(app, client, scalar, liaoning):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    page = client.get(f"/apply/{application_id}/form").get_data(as_text=True)
    assert "违规禁办事项清单" in page and "国家公务员、事业单位人员" in page and "企业破产" not in page
    assert liaoning_form(client, application_id, person_id).status_code == 303
    application = scalar(select(Application).where(Application.id == application_id))
    declared = application.extra["prohibited_declaration"]
    assert declared["cases"][2] == "有犯罪记录的人员" and declared["user_id"] and declared["at"]
    page = client.get(f"/apply/{application_id}/form").get_data(as_text=True)
    assert "声明。" in page and 'name="not_prohibited" value="y" checked' in page

    renew = start(client, "renew")
    assert "企业破产" in client.get(f"/apply/{renew}/form").get_data(as_text=True)


def test_liaoning_materials_follow_the_trade_kind(app, client, scalar, liaoning):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    assert liaoning_form(client, application_id, person_id).status_code == 303
    goods = client.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    assert "上一年度海关进出口货物报关单" in goods and "往来电子邮件" not in goods
    assert liaoning_form(client, application_id, person_id, trade_kind="services").status_code == 303
    services = client.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    assert "报关单" not in services.split("</nav>")[-1]
    for label in ("与经济体签署的合同、协议、项目意向书或计划书", "与外方企业的往来电子邮件",
                  "申请人上一年度前往相关经济体的商务签证"):
        assert label in services
    confirm = client.get(f"/apply/{application_id}/confirm").get_data(as_text=True)
    assert "请上传与外方企业的往来电子邮件" in confirm


def test_liaoning_refuses_a_passport_valid_for_less_than_a_year_when_chosen_and_at_submission(
        app, client, scalar, liaoning):
    short = TODAY + datetime.timedelta(days=200)
    limit = add_months(TODAY, 12)
    refused = add_person(app, liaoning, passport_expiry=short)
    application_id = start(client)
    response = liaoning_form(client, application_id, refused)
    assert response.status_code == 422
    assert f"宋文泰 的护照有效期须不少于 12 个月（至少到 {limit:%Y-%m-%d}），当前至 {short:%Y-%m-%d}" in \
        response.get_data(as_text=True)
    assert scalar(select(func.count()).select_from(ApplicationMember)) == 0

    fine = add_person(app, liaoning, name="单丽娜", id_number="110105199011030028", passport="E26895599")
    complete_liaoning(app, client, scalar, application_id, fine)
    with app.app_context():
        db.session.get(Person, fine).passport_expiry_date = short  # renewed since? shortened here
        db.session.commit()
    response = try_submit(client, scalar, application_id)
    assert response.status_code == 422
    assert "单丽娜 的护照有效期须不少于 12 个月" in response.get_data(as_text=True)


def test_hunan_refuses_a_passport_valid_for_five_months_as_its_hint_says(app, client, make_enterprise, scalar):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    person_id = add_person(app, enterprise_id, passport_expiry=add_months(TODAY, 5))
    application_id = start(client)
    response = fill_form(client, application_id, person_id)
    assert response.status_code == 422
    assert "宋文泰 的护照有效期须不少于 12 个月" in response.get_data(as_text=True)

    fine = add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")
    complete_hunan(client, scalar, application_id, fine)
    with app.app_context():  # the passport was entered wrongly and corrected since
        db.session.get(Person, fine).passport_expiry_date = add_months(TODAY, 5)
        db.session.commit()
    response = try_submit(client, scalar, application_id)
    assert response.status_code == 422
    assert f"单丽娜 的护照有效期须不少于 12 个月（至少到 {add_months(TODAY, 12):%Y-%m-%d}）" in response.get_data(as_text=True)


def test_liaoning_refuses_a_criminal_record_certificate_older_than_three_months(app, client, scalar, liaoning):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    liaoning_form(client, application_id, person_id)
    member_id = member_id_of(scalar, application_id)
    old = (TODAY - datetime.timedelta(days=120)).isoformat()
    response = upload(client, application_id, "no_criminal_record", member_id=member_id, issued_on=old, htmx=True)
    assert response.status_code == 422
    assert "无犯罪记录证明自开具之日起 3 个月内有效" in response.get_data(as_text=True)
    missing_date = upload(client, application_id, "no_criminal_record", member_id=member_id, htmx=True)
    assert "请填写无犯罪记录证明的开具日期" in missing_date.get_data(as_text=True)
    impossible = upload(client, application_id, "no_criminal_record", member_id=member_id, issued_on="2026-02-30",
                        htmx=True)
    assert "开具日期不是有效的日期" in impossible.get_data(as_text=True)


def test_liaoning_certificate_that_expired_while_the_draft_waited_is_refused_at_submission(app, client, scalar,
                                                                                          liaoning):
    from apec.materials.models import Material

    person_id = add_person(app, liaoning)
    application_id = start(client)
    complete_liaoning(app, client, scalar, application_id, person_id)
    with app.app_context():
        db.session.execute(update(Material).where(Material.kind == "no_criminal_record")
                           .values(issued_on=TODAY - datetime.timedelta(days=100)))
        db.session.commit()
    response = try_submit(client, scalar, application_id)
    assert response.status_code == 422
    assert "无犯罪记录证明须在开具后 3 个月内提交" in response.get_data(as_text=True)


def test_shenyang_enterprises_go_straight_to_the_mfa_stage_after_their_city(app, client, scalar, make_enterprise):
    enterprise_id, email = make_enterprise(province="liaoning", office="shenyang")
    other = app.test_client()
    login(other, email)
    person_id = add_person(app, enterprise_id)
    application_id = start(other)
    complete_liaoning(app, other, scalar, application_id, person_id)
    assert try_submit(other, scalar, application_id).status_code == 303
    detail = other.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "沈阳市人民政府外事办公室审核" in detail
    assert "辽宁省外事管理服务大厅审核" not in detail
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        assert enterprise.employees == 120 and enterprise.tax_grade == "A"


@pytest.mark.parametrize("employees, message", [
    ("0", "员工人数应为 1 至 10000000 之间的整数（当前填写 0）"), ("", "请填写员工人数"),
])
def test_zero_employees_is_too_few_not_missing(app, client, scalar, liaoning, employees, message):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    response = liaoning_form(client, application_id, person_id, employees=employees)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if employees:
        assert "请填写员工人数" not in page


def test_liaoning_asks_the_invoice_details_of_its_remittance_on_the_form(app, client, scalar, liaoning):
    person_id = add_person(app, liaoning)
    application_id = start(client)
    assert "开票信息" in client.get(f"/apply/{application_id}/form").get_data(as_text=True)
    half = liaoning_form(client, application_id, person_id, invoice_title="鞍山测试公司")
    assert half.status_code == 422 and "发票抬头和纳税人识别号须一起填写" in half.get_data(as_text=True)
    complete_liaoning(app, client, scalar, application_id, person_id)
    assert liaoning_form(client, application_id, person_id, invoice_title="鞍山测试公司",
                         invoice_tax_number="91210300MA0U4W9X57").status_code == 303
    assert try_submit(client, scalar, application_id).status_code == 303
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "<dt>发票信息</dt><dd>鞍山测试公司（91210300MA0U4W9X57）</dd>" in detail
    form = client.get(f"/apply/{start(client, 'renew')}/form").get_data(as_text=True)
    assert "鞍山测试公司（91210300MA0U4W9X57）" in form, "kept in 发票信息 for the next application"


def test_hunan_pays_later_and_asks_no_invoice_on_its_form(client, hunan):
    assert "开票信息" not in client.get(f"/apply/{start(client)}/form").get_data(as_text=True)
