"""Each province's chain and payment stage, SMS on return, 我的单据."""

import io

import pytest
from sqlalchemy import select

from apec.applications.models import Application, Payment
from apec.notifications.models import SmsOutbox

from .conftest import login, submit
from .factories import PDF, add_person, submitted_application
from .factories import act, staff, status


@pytest.fixture
def reviewers(make_staff):
    def make(province, *offices):
        for office in offices:
            make_staff(f"{province}.{office}@example.com", province=province, office=office)

    return make


def test_hebei_goes_city_then_province_then_mfa_and_a_return_sends_an_sms(app, scalar, count, make_enterprise,
                                                                         reviewers):
    enterprise_id, _ = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    assert scalar(select(Application.pickup_method)) == "self", "cards are handed out by the city office"
    reviewers("hebei", "cangzhou", "hebei", "mfa")
    city, province_office, mfa = (staff(app, f"hebei.{o}@example.com") for o in ("cangzhou", "hebei", "mfa"))
    act(city, scalar, application_id, "accept")
    assert status(scalar, application_id) == "city_review"
    act(city, scalar, application_id, "forward")
    assert scalar(select(Application.office_code)) == "hebei"
    assert status(scalar, application_id) == "province_review"
    act(province_office, scalar, application_id, "return", comment="请补充贸易往来证明")
    assert status(scalar, application_id) == "returned"
    sms = scalar(select(SmsOutbox))
    assert sms.mobile == "13456767660" and "请补充贸易往来证明" in sms.text, "Hebei tells returns by SMS"
    assert count(SmsOutbox) == 1


def test_liaoning_shenyang_reports_to_the_mfa_and_the_remittance_is_checked_without_asking_again(
        app, scalar, make_enterprise, reviewers):
    enterprise_id, _ = make_enterprise(province="liaoning", office="shenyang")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    reviewers("liaoning", "shenyang", "mfa")
    city, mfa = staff(app, "liaoning.shenyang@example.com"), staff(app, "liaoning.mfa@example.com")
    act(city, scalar, application_id, "accept")
    act(city, scalar, application_id, "forward")
    assert status(scalar, application_id) == "mfa_review"
    act(mfa, scalar, application_id, "approve")
    assert status(scalar, application_id) == "payment_review", "the 汇款单 came with the application"
    payment = scalar(select(Payment))
    assert payment.voucher_material_id is not None and payment.amount == 720
    act(mfa, scalar, application_id, "confirm_payment")
    assert status(scalar, application_id) == "economies_review"


def test_guangxi_window_payment_is_paid_and_confirmed_at_its_office(app, client, scalar, make_enterprise, reviewers):
    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi")
    login(client, email)
    people = [add_person(app, enterprise_id), add_person(app, enterprise_id, name="陆海燕",
                                                       id_number="450103199007070024", passport="E45010322")]
    application_id = submitted_application(app, enterprise_id, people, payment_method="window")
    reviewers("guangxi", "guangxi", "mfa")
    region, mfa = staff(app, "guangxi.guangxi@example.com"), staff(app, "guangxi.mfa@example.com")
    act(region, scalar, application_id, "accept")
    act(region, scalar, application_id, "forward")
    act(mfa, scalar, application_id, "approve")
    assert status(scalar, application_id) == "awaiting_payment"
    assert scalar(select(Payment.amount)) == 1440
    assert scalar(select(Application.office_code)) == "guangxi", "paid at 广西外办's window (payment_office_stage)"
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "请到广西壮族自治区外事办公室窗口缴费" in detail and "外交部领事司窗口" not in detail
    assert act(mfa, scalar, application_id, "confirm_payment").status_code == 404, "not the MFA's to confirm"
    no_receipt = act(region, scalar, application_id, "confirm_payment")
    assert no_receipt.status_code == 422 and "请填写窗口收款的收据号" in no_receipt.get_data(as_text=True)
    act(region, scalar, application_id, "confirm_payment", receipt_number="GX-20261202-0001")
    assert status(scalar, application_id) == "economies_review"
    assert scalar(select(Payment.receipt_number)) == "GX-20261202-0001", "the window's receipt is kept"
    assert scalar(select(Application.office_code)) == "mfa", "the MFA records the economies"


def test_voucher_returned_then_resent_and_listed_in_my_documents(app, client, scalar, make_enterprise, reviewers):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    reviewers("hunan", "hunan", "mfa")
    office, mfa = staff(app, "hunan.hunan@example.com"), staff(app, "hunan.mfa@example.com")
    for reviewer, action in ((office, "accept"), (office, "forward"), (mfa, "approve")):
        act(reviewer, scalar, application_id, action)
    assert scalar(select(Application.office_code)) == "mfa", "Hunan's payment is confirmed where it was approved"
    login(client, email)

    def pay(title="湖南测试企业有限公司"):
        version = scalar(select(Application.version))
        return submit(client, f"/user-center/applications/{application_id}/pay", {
            "version": version, "voucher": (io.BytesIO(PDF), "回单.pdf"), "invoice_title": title,
            "invoice_tax_number": "91430100MA4L2X3K8X"}, content_type="multipart/form-data")

    missing = submit(client, f"/user-center/applications/{application_id}/pay",
                     {"version": scalar(select(Application.version)), "invoice_title": "", "invoice_tax_number": ""})
    assert missing.status_code == 422 and "请选择支付凭证" in missing.get_data(as_text=True)
    assert pay().status_code == 303
    act(mfa, scalar, application_id, "return_payment", comment="凭证金额不符")
    assert status(scalar, application_id) == "awaiting_payment"
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "凭证金额不符" in detail
    again = client.get(f"/user-center/applications/{application_id}/pay").get_data(as_text=True)
    assert 'value="湖南测试企业有限公司"' in again, "the 开票信息 given with the returned voucher, again"
    assert pay().status_code == 303
    documents = client.get("/user-center/documents").get_data(as_text=True)
    assert "¥ 720" in documents and "待确认" in documents and "湖南测试企业有限公司" in documents
    notice = client.get(f"/documents/{application_id}/payment-notice.pdf")
    assert notice.status_code == 200 and notice.data.startswith(b"%PDF")


def test_after_acceptance_hebei_can_no_longer_withdraw(app, client, scalar, make_enterprise, reviewers):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    login(client, email)
    assert "撤回" in client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    reviewers("hebei", "shijiazhuang")
    act(staff(app, "hebei.shijiazhuang@example.com"), scalar, application_id, "accept")
    assert "撤回" not in client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    response = submit(client, f"/apply/{application_id}/withdraw", {"version": scalar(select(Application.version))},
                      page="/user-center/")
    assert response.status_code == 409 and "不能撤回" in response.get_data(as_text=True)
    assert status(scalar, application_id) == "city_review"


def test_rejection_needs_a_reason_and_is_final(app, client, scalar, make_enterprise, reviewers):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    reviewers("hunan", "hunan")
    office = staff(app, "hunan.hunan@example.com")
    assert act(office, scalar, application_id, "reject").status_code == 422
    assert act(office, scalar, application_id, "reject", comment="申请人与企业无劳动关系证明").status_code == 303
    assert status(scalar, application_id) == "rejected"
    login(client, email)
    page = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "不予受理" in page and "申请人与企业无劳动关系证明" in page
    assert "审核不通过" not in page, "refused before 受理: the enterprise is told which of the two it was"
    assert act(office, scalar, application_id, "accept").status_code == 409


def test_the_offices_pickup_settings_decide_the_methods_offered(app, client, make_enterprise):
    from .factories import start

    _, email = make_enterprise(province="liaoning", office="jinzhou")
    login(client, email)
    application_id = start(client)
    page = client.get(f"/apply/{application_id}/pickup").get_data(as_text=True)
    assert 'value="self"' in page and 'value="mail"' not in page, "Liaoning hands cards out via the city office"
    refused = submit(client, f"/apply/{application_id}/pickup", {"method": "mail", "recipient": "x", "phone":
                     "13800000000", "address": "y", "action": "next"})
    assert refused.status_code == 422


def test_messages_show_an_unread_count_and_can_be_marked_read(app, client, scalar, make_enterprise):
    from apec.notifications.models import Message

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    login(client, email)
    page = client.get("/user-center/messages/").get_data(as_text=True)
    assert '<span class="badge">1</span>' in page and "已提交" in page
    message_id = scalar(select(Message.id))
    assert submit(client, f"/user-center/messages/{message_id}/read", {}, page="/user-center/messages/").status_code == 303
    assert '<span class="badge">' not in client.get("/user-center/messages/").get_data(as_text=True)


def test_all_messages_are_marked_read_at_once(app, client, scalar, make_enterprise, make_staff):
    from sqlalchemy import func

    from apec.extensions import db
    from apec.notifications.models import Message

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    make_staff("hunan@example.com", province="hunan", office="hunan")
    with app.app_context():
        from apec.accounts.models import User
        from apec.applications.models import Application
        from apec.applications.workflow import transition

        transition(db.session.get(Application, application_id), "accept",
                   db.session.scalar(select(User).where(User.email == "hunan@example.com")))
    login(client, email)
    page = client.get("/user-center/messages/").get_data(as_text=True)
    assert '<span class="badge">2</span>' in page and "2 条未读" in page
    assert submit(client, "/user-center/messages/read-all", {}, page="/user-center/messages/").status_code == 303
    page = client.get("/user-center/messages/").get_data(as_text=True)
    assert '<span class="badge">' not in page and "全部已读" not in page
    assert scalar(select(func.count()).select_from(Message).where(Message.read_at.is_(None))) == 0


def test_a_batch_accepted_once_cannot_be_withdrawn_even_when_returned_and_resubmitted(
        app, client, scalar, make_enterprise, reviewers):
    enterprise_id, email = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    reviewers("hebei", "cangzhou")
    city = staff(app, "hebei.cangzhou@example.com")
    act(city, scalar, application_id, "accept")
    act(city, scalar, application_id, "return", comment="请补充材料")
    login(client, email)
    version = scalar(select(Application.version))
    assert submit(client, f"/apply/{application_id}/submit", {"version": version},
                  page="/user-center/").status_code == 303
    assert "撤回" not in client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    refused = submit(client, f"/apply/{application_id}/withdraw", {"version": scalar(select(Application.version))},
                     page="/user-center/")
    assert refused.status_code == 409 and "外办已受理该申请单，不能撤回" in refused.get_data(as_text=True)
    assert status(scalar, application_id) == "submitted"


def test_a_renewed_card_replaces_the_old_one(app, scalar, make_enterprise, reviewers):
    import datetime

    from apec.applications.models import Card
    from apec.applications.workflow import transition
    from apec.accounts.models import User
    from apec.extensions import db
    from .factories import add_card

    enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    add_card(app, person_id, valid_to=datetime.date.today() + datetime.timedelta(days=60))
    application_id = submitted_application(app, enterprise_id, [person_id], business_type="renew")
    reviewers("hunan", "mfa")
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.status, application.office_code = "economies_done", "mfa"
        db.session.commit()
        mfa = db.session.scalar(select(User).where(User.email == "hunan.mfa@example.com"))
        member_id = application.members[0].id
        from apec.applications.models import EconomyDecision
        db.session.add(EconomyDecision(member_id=member_id, economy="AU", decision="approved",
                                       decided_on=datetime.date.today()))
        db.session.commit()
        transition(application, "issue_card", mfa, cards={str(member_id): "APEC99990001"},
                   valid_from=datetime.date.today())
        statuses = dict(db.session.execute(select(Card.number, Card.status)).all())
    assert statuses["APEC99990001"] == "valid" and statuses[f"APEC{person_id:08d}"] == "replaced"


@pytest.mark.parametrize("province, office, offered, not_offered", [
    ("hunan", "hunan", ["联系人信息", "取卡方式"], ["申报条件", "团组基本信息"]),
    ("hebei", "shijiazhuang", ["申报条件", "申请人员信息"], ["取卡方式", "团组基本信息"]),
    ("guangxi", "guangxi", ["团组基本信息", "取卡方式"], ["申报条件"]),
])
def test_the_return_form_offers_the_sections_the_province_has(app, scalar, make_enterprise, reviewers, province,
                                                             office, offered, not_offered):
    enterprise_id, _ = make_enterprise(province=province, office=office)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    reviewers(province, office)
    page = staff(app, f"{province}.{office}@example.com").get(f"/staff/applications/{application_id}")
    text = page.get_data(as_text=True)
    for label in offered:
        assert f'name="field"' in text and label in text, label
    for label in not_offered:
        assert f"> {label}</label>" not in text, label
