"""Back office: an application through its province's chain to the card in the holder's hands."""

import datetime
import io
import re

from sqlalchemy import select

from apec.applications.models import Application, ApplicationMember, Card, TimelineEvent
from apec.economies import preclearing_economies
from apec.notifications.models import MailOutbox, Message

from .conftest import submit
from .factories import PDF, act, staff, status, version_of


def test_hunan_application_goes_from_office_to_mfa_to_payment_economies_card_and_mail(
        app, scalar, count, hunan_submitted):
    application_id, enterprise = hunan_submitted["id"], hunan_submitted["enterprise"]
    office = staff(app, "hunan.office@example.com")
    queue = office.get("/staff/").get_data(as_text=True)
    number = scalar(select(Application.number))
    assert number in queue and "已提交，待受理" in queue

    assert act(office, scalar, application_id, "accept").status_code == 303
    assert status(scalar, application_id) == "province_review"
    assert act(office, scalar, application_id, "forward").status_code == 303
    assert status(scalar, application_id) == "mfa_review"
    assert f"<td>{number}</td>" not in office.get("/staff/").get_data(as_text=True), "no longer this office's to do"
    assert f"<td>{number}</td>" in office.get("/staff/?view=done").get_data(as_text=True)

    mfa = staff(app, "hunan.mfa@example.com")
    assert act(mfa, scalar, application_id, "approve").status_code == 303
    assert status(scalar, application_id) == "awaiting_payment"
    detail = enterprise.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "待缴费：¥ 720" in detail and "上传支付凭证" in detail

    pay_page = enterprise.get(f"/user-center/applications/{application_id}/pay").get_data(as_text=True)
    assert "9558850200001278881" in pay_page and "中国工商银行股份有限公司北京东四南支行" in pay_page
    response = submit(enterprise, f"/user-center/applications/{application_id}/pay", {
        "version": version_of(scalar, application_id), "voucher": (io.BytesIO(PDF), "回单.pdf"),
        "invoice_title": "湖南测试企业有限公司", "invoice_tax_number": "91430100MA4L2X3K8X"},
        content_type="multipart/form-data")
    assert response.status_code == 303
    assert status(scalar, application_id) == "payment_review"

    assert act(mfa, scalar, application_id, "confirm_payment").status_code == 303
    assert status(scalar, application_id) == "economies_review"
    member_id = scalar(select(ApplicationMember.id))
    today = datetime.date.today().isoformat()
    economies = preclearing_economies()
    first_half = {f"decision-{member_id}-{e.code}": "approved" for e in economies[:8]}
    first_half.update({f"date-{member_id}-{e.code}": today for e in economies[:8]})
    submit(mfa, f"/staff/applications/{application_id}/economies", first_half, page="/staff/")
    assert status(scalar, application_id) == "economies_review"
    table = enterprise.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "APEC经济体审核情况" in table and "获批" in table and "审核中" in table
    rest = {f"decision-{member_id}-{e.code}": "approved" for e in economies[8:]}
    rest[f"decision-{member_id}-{economies[-1].code}"] = "refused"
    rest.update({f"date-{member_id}-{e.code}": today for e in economies[8:]})
    submit(mfa, f"/staff/applications/{application_id}/economies", rest, page="/staff/")
    assert status(scalar, application_id) == "economies_done"

    response = act(mfa, scalar, application_id, "issue_card", **{f"card-{member_id}": "APEC53224708",
                                                                "valid_from": today})
    assert response.status_code == 303
    assert status(scalar, application_id) == "card_ready"
    card = scalar(select(Card))
    assert card.number == "APEC53224708"
    assert "US" in card.economies and "CA" in card.economies and economies[-1].code not in card.economies
    assert (card.valid_to - card.valid_from).days <= 5 * 366

    assert "<h1>待邮寄</h1>" in enterprise.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    no_tracking = act(office, scalar, application_id, "hand_over")
    assert no_tracking.status_code == 422 and "请填写邮寄单号" in no_tracking.get_data(as_text=True)
    assert act(office, scalar, application_id, "hand_over", tracking_number="SF1234567890").status_code == 303
    assert status(scalar, application_id) == "mailed"
    final = enterprise.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "<h1>已邮寄</h1>" in final and "APEC53224708" in final and "SF1234567890" in final

    actions = scalar(select(TimelineEvent.action).where(TimelineEvent.action == "hand_over"))
    assert actions == "hand_over"
    assert count(Message) >= 8 and count(MailOutbox) >= 8, "every step is told in 消息中心 and by e-mail"


def test_return_with_opinion_is_highlighted_and_resubmitted_to_the_same_office(app, scalar, hunan_submitted):
    from apec.materials.models import Material

    application_id, enterprise = hunan_submitted["id"], hunan_submitted["enterprise"]
    office = staff(app, "hunan.office@example.com")
    act(office, scalar, application_id, "accept")
    material_id = scalar(select(Material.id).where(Material.kind == "business_license"))
    refused = act(office, scalar, application_id, "return")
    assert refused.status_code == 422 and "请填写退回的意见或原因" in refused.get_data(as_text=True)
    response = act(office, scalar, application_id, "return", comment="营业执照不清晰，联系人电话有误",
                   field=["contact"], **{f"material-{material_id}": "y", f"material-note-{material_id}": "请上传清晰的副本"})
    assert response.status_code == 303
    assert status(scalar, application_id) == "returned"

    detail = enterprise.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "已反馈审核意见" in detail and "营业执照不清晰" in detail and "请修改：联系人信息" in detail
    materials_page = enterprise.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    assert 'class="flagged"' in materials_page and "请上传清晰的副本" in materials_page
    form_page = enterprise.get(f"/apply/{application_id}/form").get_data(as_text=True)
    contact = form_page[form_page.index("<legend>联系人</legend>") - 60:form_page.index("<legend>联系人</legend>")]
    assert 'class="flagged"' in contact, "the section to change is highlighted on its step"
    assert "审核意见要求修改此部分" in form_page

    applicant = scalar(select(ApplicationMember.person_id).where(ApplicationMember.application_id == application_id))
    saved = submit(enterprise, f"/apply/{application_id}/form", {"applicant": str(applicant), "contact_name": "袁媛",
                                                                 "contact_phone": "13900001111", "action": "next"})
    assert saved.status_code == 303
    response = submit(enterprise, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                      page="/user-center/")
    assert response.status_code == 303
    application = scalar(select(Application).where(Application.id == application_id))
    assert application.status == "submitted" and application.office_code == "hunan"
    assert "review_opinion" not in application.extra


def test_wrong_state_wrong_office_and_twice_are_refused_with_nothing_changed(app, scalar, count, hunan_submitted,
                                                                             make_staff):
    application_id = hunan_submitted["id"]
    mfa = staff(app, "hunan.mfa@example.com")
    response = act(mfa, scalar, application_id, "accept")
    assert response.status_code == 404, "the MFA stage cannot act on what is still at the province office"
    office = staff(app, "hunan.office@example.com")
    wrong_state = act(office, scalar, application_id, "approve")
    assert wrong_state.status_code == 409 and "不能审核通过" in wrong_state.get_data(as_text=True)
    version = version_of(scalar, application_id)
    first = submit(office, f"/staff/applications/{application_id}/act", {"action": "accept", "version": version},
                   page="/staff/")
    second = submit(office, f"/staff/applications/{application_id}/act", {"action": "accept", "version": version},
                    page="/staff/")
    assert first.status_code == 303 and second.status_code == 409
    assert count(TimelineEvent) == 2, "submit and one accept"
    make_staff("other.province@example.com", province="hebei", office="shijiazhuang")
    other = staff(app, "other.province@example.com")
    assert other.get(f"/staff/applications/{application_id}").status_code == 404


def test_batch_accept(app, scalar, hunan_submitted):
    application_id = hunan_submitted["id"]
    office = staff(app, "hunan.office@example.com")
    response = submit(office, "/staff/batch-accept", {"application_id": [str(application_id)]}, page="/staff/")
    assert response.status_code == 303
    assert status(scalar, application_id) == "province_review"
    assert "已受理 1 件" in office.get("/staff/").get_data(as_text=True)


def test_queue_filters_by_enterprise_type_and_status(app, scalar, hunan_submitted):
    office = staff(app, "hunan.office@example.com")
    number = scalar(select(Application.number))
    assert number in office.get("/staff/?enterprise=测试企业").get_data(as_text=True)
    assert f"<td>{number}</td>" not in office.get("/staff/?enterprise=不存在").get_data(as_text=True)
    assert f"<td>{number}</td>" not in office.get("/staff/?type=renew").get_data(as_text=True)
    assert f"<td>{number}</td>" in office.get("/staff/?status=submitted&type=new").get_data(as_text=True)


def _to_economies_done(app, scalar, application_id, enterprise):
    office, mfa = staff(app, "hunan.office@example.com"), staff(app, "hunan.mfa@example.com")
    for reviewer, action in ((office, "accept"), (office, "forward"), (mfa, "approve")):
        act(reviewer, scalar, application_id, action)
    submit(enterprise, f"/user-center/applications/{application_id}/pay", {
        "version": version_of(scalar, application_id), "voucher": (io.BytesIO(PDF), "回单.pdf"),
        "invoice_title": "湖南测试企业有限公司", "invoice_tax_number": "91430100MA4L2X3K8X"},
        content_type="multipart/form-data")
    act(mfa, scalar, application_id, "confirm_payment")
    member_id = scalar(select(ApplicationMember.id))
    today = datetime.date.today().isoformat()
    decisions = {f"decision-{member_id}-{e.code}": "approved" for e in preclearing_economies()}
    decisions.update({f"date-{member_id}-{e.code}": today for e in preclearing_economies()})
    return mfa, member_id, decisions


def test_card_numbers_must_be_new_and_dates_sensible(app, scalar, count, hunan_submitted):
    application_id = hunan_submitted["id"]
    mfa, member_id, decisions = _to_economies_done(app, scalar, application_id, hunan_submitted["enterprise"])
    submit(mfa, f"/staff/applications/{application_id}/economies", decisions, page="/staff/")
    assert status(scalar, application_id) == "economies_done"
    far = act(mfa, scalar, application_id, "issue_card", **{f"card-{member_id}": "APEC53224708",
                                                           "valid_from": "2030-01-01"})
    assert far.status_code == 422 and "前后一个月内" in far.get_data(as_text=True)
    today = datetime.date.today().isoformat()
    for wrong in ("APEC1234", "ABCD53224708", "APEC5322470X"):
        refused = act(mfa, scalar, application_id, "issue_card", **{f"card-{member_id}": wrong, "valid_from": today})
        assert refused.status_code == 422 and "的卡号应为 APEC 加 8 位数字" in refused.get_data(as_text=True), wrong
    missing = act(mfa, scalar, application_id, "issue_card", **{f"card-{member_id}": "", "valid_from": today})
    assert missing.status_code == 422 and "请填写 宋文泰 的卡号" in missing.get_data(as_text=True)
    from .factories import add_card
    add_card(app, hunan_submitted_person(app, scalar), valid_to=datetime.date.today() + datetime.timedelta(days=30))
    taken = scalar(select(Card.number))
    reused = act(mfa, scalar, application_id, "issue_card", **{f"card-{member_id}": taken,
                                                              "valid_from": datetime.date.today().isoformat()})
    assert reused.status_code == 422 and "已被使用" in reused.get_data(as_text=True)
    assert status(scalar, application_id) == "economies_done" and count(Card) == 1


def hunan_submitted_person(app, scalar):
    return scalar(select(ApplicationMember.person_id))


def test_a_stale_economies_form_is_refused(app, scalar, hunan_submitted):
    application_id = hunan_submitted["id"]
    mfa, member_id, decisions = _to_economies_done(app, scalar, application_id, hunan_submitted["enterprise"])
    stale = version_of(scalar, application_id)
    first = {key: value for key, value in decisions.items() if key.endswith("-AU")}
    submit(mfa, f"/staff/applications/{application_id}/economies", dict(first, version=stale), page="/staff/")
    response = submit(mfa, f"/staff/applications/{application_id}/economies", dict(decisions, version=stale),
                      page="/staff/")
    assert response.status_code == 409 and "刚刚已被他人更新" in response.get_data(as_text=True)
    assert status(scalar, application_id) == "economies_review"


def test_batch_accept_reveals_nothing_of_other_provinces(app, scalar, hunan_submitted, make_staff):
    make_staff("hebei.city@example.com", province="hebei", office="shijiazhuang")
    other = staff(app, "hebei.city@example.com")
    response = submit(other, "/staff/batch-accept", {"application_id": [str(hunan_submitted["id"])]},
                      page="/staff/")
    page = other.get(response.headers["Location"]).get_data(as_text=True)
    assert scalar(select(Application.number)) not in page and "申请单不存在" in page
    assert status(scalar, hunan_submitted["id"]) == "submitted"


def test_waiting_for_the_enterprise_to_pay_does_not_make_the_office_late(app, scalar, hunan_submitted):
    from sqlalchemy import update

    from apec.extensions import db

    office, mfa = staff(app, "hunan.office@example.com"), staff(app, "hunan.mfa@example.com")
    for reviewer, action in ((office, "accept"), (office, "forward"), (mfa, "approve")):
        act(reviewer, scalar, hunan_submitted["id"], action)
    with app.app_context():
        db.session.execute(update(TimelineEvent).values(
            created_at=datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(days=60)))
        db.session.commit()
    assert "已超期" not in mfa.get("/staff/").get_data(as_text=True)


def test_no_card_for_a_member_refused_by_every_economy_but_the_office_may_end_it(app, scalar, hunan_submitted):
    application_id = hunan_submitted["id"]
    mfa, member_id, decisions = _to_economies_done(app, scalar, application_id, hunan_submitted["enterprise"])
    refused = {key: ("refused" if key.startswith("decision-") else value) for key, value in decisions.items()}
    submit(mfa, f"/staff/applications/{application_id}/economies", refused, page="/staff/")
    assert status(scalar, application_id) == "economies_done"
    response = act(mfa, scalar, application_id, "issue_card", **{f"card-{member_id}": "APEC53224708",
                                                                "valid_from": datetime.date.today().isoformat()})
    assert response.status_code == 422 and "未获任何经济体批准" in response.get_data(as_text=True)
    assert act(mfa, scalar, application_id, "reject", comment="各经济体均未批准").status_code == 303
    assert status(scalar, application_id) == "rejected"


def test_province_admin_sees_the_effective_rules(app, make_staff):
    make_staff("admin@example.com", role="province_admin", province="liaoning", office=None)
    page = staff(app, "admin@example.com").get("/admin/").get_data(as_text=True)
    assert "本省生效的办理规则" in page and "员工 10 人以上" in page and "提交时附 720 元/人汇款单" in page
    assert "沈阳市人民政府外事办公室 → 外交部领事司" in page


def test_a_refusal_is_asked_once_more_and_changes_nothing_until_confirmed(app, scalar, make_enterprise, make_staff):
    from .conftest import login
    from .factories import add_person, submitted_application

    enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    make_staff("hn@example.com", province="hunan", office="hunan")
    staff = app.test_client()
    login(staff, "hn@example.com", tab="staff")
    url = f"/staff/applications/{application_id}/act"
    asked = submit(staff, url, {"action": "reject", "comment": "材料不实", "version": version_of(scalar, application_id)},
                   page=f"/staff/applications/{application_id}")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "确定不予受理" in page and "材料不实" in page
    assert status(scalar, application_id) == "submitted"
    no_reason = submit(staff, url, {"action": "reject", "comment": " ", "version": version_of(scalar, application_id)},
                       page=f"/staff/applications/{application_id}")
    assert no_reason.status_code == 422 and "请填写不予受理的意见或原因" in no_reason.get_data(as_text=True)
    confirmed = submit(staff, url, {"action": "reject", "comment": "材料不实", "confirmed": "1",
                                    "version": version_of(scalar, application_id)}, page=f"/staff/applications/{application_id}")
    assert confirmed.status_code == 303 and status(scalar, application_id) == "rejected"


def test_the_staff_detail_shows_what_a_passport_return_is_checked_against(app, scalar, hunan_submitted):
    """Gender, birth date and the passport's dates as submitted: a return for 护照有效期, or a
    province's passport rule, can be checked on the page."""
    from apec.enterprises.models import Person
    from apec.extensions import db

    application_id = hunan_submitted["id"]
    office = staff(app, "hunan.office@example.com")
    expiry = scalar(select(Person.passport_expiry_date))
    with app.app_context():  # changed in 成员管理 after submission: the office sees what was submitted
        db.session.get(Person, scalar(select(ApplicationMember.person_id))).passport_expiry_date = \
            datetime.date(2031, 1, 1)
        db.session.commit()
    page = office.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    row = page[page.index("<h2>申请人员"):page.index("<h2>单位材料")]
    for shown in ("护照签发日期</dt><dd>2023-01-01", f"护照有效期至</dt><dd>{expiry:%Y-%m-%d}", "<dd>男 1998-05-15</dd>"):
        assert shown in row
    assert "2031-01-01" not in row


def test_each_queue_offers_only_the_statuses_its_office_holds_and_batches_only_what_it_may_accept(
        app, scalar, make_enterprise, make_staff):
    from .factories import add_person, put_at_status, submitted_application

    enterprise_id, _ = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    make_staff("hebei.mfa@example.com", province="hebei", office="mfa")
    city = staff(app, "hebei.cangzhou@example.com").get("/staff/").get_data(as_text=True)
    offered = re.findall(r'<option value="(\w+)"', city[city.index('name="status"'):city.index("</select>")])
    assert offered == ["submitted", "city_review"], "a city office never holds a fee, the economies or a card"
    assert "批量受理所选" in city and 'name="application_id"' in city

    put_at_status(app, application_id, "economies_review", "mfa")
    mfa = staff(app, "hebei.mfa@example.com").get("/staff/").get_data(as_text=True)
    offered = re.findall(r'<option value="(\w+)"', mfa[mfa.index('name="status"'):mfa.index("</select>")])
    assert "city_review" not in offered and "province_review" not in offered and "card_ready" in offered
    assert "批量受理所选" not in mfa and "选择" not in mfa, "nothing there waits for 受理"


def test_a_reviewer_acting_on_an_application_just_withdrawn_is_told_so(app, client, scalar, make_enterprise,
                                                                        make_staff):
    from .conftest import login, submit
    from .factories import add_person, submitted_application

    enterprise_id, email = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    city = staff(app, "hebei.cangzhou@example.com")
    stale_version = version_of(scalar, application_id)
    assert city.get(f"/staff/applications/{application_id}").status_code == 200
    login(client, email)
    withdrawn = submit(client, f"/apply/{application_id}/withdraw", {"version": stale_version}, page="/user-center/")
    assert withdrawn.status_code == 303 and status(scalar, application_id) == "draft"

    page = city.get(f"/staff/applications/{application_id}")
    assert page.status_code == 410 and "已被企业撤回" in page.get_data(as_text=True)
    refused = submit(city, f"/staff/applications/{application_id}/act",
                     {"action": "accept", "version": stale_version}, page="/staff/")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "已被企业撤回" in text and "您的操作未执行" in text
    assert status(scalar, application_id) == "draft"
    make_staff("hebei.handan@example.com", province="hebei", office="handan")
    assert staff(app, "hebei.handan@example.com").get(f"/staff/applications/{application_id}").status_code == 404, \
        "another office never had it"


def test_identity_numbers_are_masked_until_shown_in_full_and_each_showing_is_logged(app, scalar, hunan_submitted):
    from apec.audit import AuditLog

    application_id = hunan_submitted["id"]
    office = staff(app, "hunan.office@example.com")
    page = office.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert "110105199805152516" not in page and "E26895502" not in page and "1101**********2516" in page
    assert scalar(select(AuditLog.id).where(AuditLog.event == "pii_view")) is None
    full = office.get(f"/staff/applications/{application_id}?full=1").get_data(as_text=True)
    assert "110105199805152516" in full and "E26895502" in full and "本次查看已记录" in full
    logged = scalar(select(AuditLog).where(AuditLog.event == "pii_view"))
    assert logged.detail == {"what": "identity_numbers", "application_id": application_id} and logged.user_id is not None
    assert re.search(r"企业 [^：<]*：\s*暂存 → 已提交，待受理", page), "the enterprise's own action is the enterprise's"
