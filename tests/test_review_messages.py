"""What the enterprise is told by 消息中心, e-mail and SMS: each title reads as Chinese, and each
message carries what the enterprise needs to act (what to change, the tracking number)."""

from sqlalchemy import select

from apec.applications.models import Application, ApplicationMember
from apec.materials.models import Material
from apec.notifications.models import MailOutbox, Message, SmsOutbox

from .conftest import login
from .factories import act, add_person, put_at_status, staff, status, submitted_application


def _last_mail(scalar):
    return scalar(select(MailOutbox).order_by(MailOutbox.id.desc()))


def test_a_return_tells_what_to_change_by_mail_and_sms(app, scalar, make_enterprise, make_staff):
    enterprise_id, _ = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    city = staff(app, "hebei.cangzhou@example.com")
    passport = scalar(select(Material).where(Material.member_id.is_not(None)).order_by(Material.id))
    act(city, scalar, application_id, "accept")
    response = act(city, scalar, application_id, "return", comment="请核对后重新提交", field=["contact"],
                   **{f"material-{passport.id}": "y", f"material-note-{passport.id}": "照片页不清晰"})
    assert response.status_code == 303 and status(scalar, application_id) == "returned"
    mail = _last_mail(scalar)
    for told in ("请核对后重新提交", "需修改的内容：联系人信息", f"需重新上传：{passport.title}（", "照片页不清晰"):
        assert told in mail.body, told
    sms = scalar(select(SmsOutbox))
    assert "联系人信息" in sms.text and "照片页不清晰" in sms.text, "Hebei tells returns by SMS, in full"


def test_mailed_card_message_has_the_tracking_number(app, scalar, make_enterprise, make_staff):
    enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)], pickup="mail")
    put_at_status(app, application_id, "card_ready", "hunan")
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    office = staff(app, "hunan.office@example.com")
    assert act(office, scalar, application_id, "hand_over", tracking_number="SF1234567890").status_code == 303
    mail = _last_mail(scalar)
    assert mail.subject.endswith("已邮寄") and "邮寄单号：SF1234567890" in mail.body


def test_titles_read_as_chinese_and_a_refusal_is_named_as_it_was(app, client, scalar, make_enterprise,
                                                                   make_staff):
    import datetime

    from apec.economies import preclearing_economies

    from .conftest import submit
    from .factories import version_of

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    put_at_status(app, application_id, "economies_review", "mfa")
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    mfa = staff(app, "hunan.mfa@example.com")
    member_id = scalar(select(ApplicationMember.id))
    today = datetime.date.today().isoformat()
    decisions = {f"decision-{member_id}-{e.code}": "approved" for e in preclearing_economies()}
    decisions.update({f"date-{member_id}-{e.code}": today for e in preclearing_economies()})
    decisions["version"] = version_of(scalar, application_id)
    submit(mfa, f"/staff/applications/{application_id}/economies", decisions, page="/staff/")
    number = scalar(select(Application.number))
    assert scalar(select(Message.title).where(Message.title == f"申请单 {number} 全部经济体审核完成"))
    assert not scalar(select(Message.id).where(Message.title.contains("已经济体")))

    act(mfa, scalar, application_id, "reject", comment="经核查不符合条件")
    assert scalar(select(Message.title).where(Message.title == f"申请单 {number} 已审核不通过"))
    login(client, email)
    page = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "审核不通过" in page and "不予受理/审核不通过" not in page
