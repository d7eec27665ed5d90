"""Guangxi (seed 002): 新卡申办 → 办理须知 → per member 基本信息/护照信息/照片信息/附件信息 → 上报."""

import datetime
import re

import pytest
from sqlalchemy import select

from apec.applications.models import Application, ApplicationMember
from apec.enterprises.models import Person

from .conftest import login, submit
from .factories import (
    MEMBER, add_person, image_bytes, member_page, save_member, start, upload, valid_id,
)

PRIVATE_MEMBER_FILES = ("personal_form", "passport_page", "id_card", "business_license", "social_insurance",
                        "trade_proof")


@pytest.fixture
def guangxi(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi", ownership="private")
    login(client, email)
    return enterprise_id


def upload_member_files(client, application_id, member_id, kinds=PRIVATE_MEMBER_FILES):
    for kind in kinds:
        assert upload(client, application_id, kind, member_id=member_id).status_code == 303, kind
    assert upload(client, application_id, "photo", data=image_bytes(), filename="p.jpg",
                  member_id=member_id).status_code == 303


def report(client, application_id, action="submit", **changes):
    if "version" not in changes:
        page = client.get(f"/apply/{application_id}/report").get_data(as_text=True)
        changes["version"] = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {"method": "mail", "recipient": "黄振宁", "phone": "13977112233", "address": "南宁市青秀区民族大道100号",
            "postcode": "530022", "payment_method": "online", "invoice_title": "广西测试企业有限公司",
            "invoice_tax_number": "91450100MA5K8N2P3L", "purpose": "赴日本、韩国洽谈业务", "action": action,
            "contact_name": "黄振宁", "contact_phone": "0771-5551234"}
    data.update(changes)
    return submit(client, f"/apply/{application_id}/report", data, page="/user-center/")


def test_group_of_two_is_filled_member_by_member_and_reported(app, client, scalar, guangxi):
    existing = add_person(app, guangxi, name="陆海燕", id_number=valid_id("45010319900707002"), passport="E45010322")
    application_id = start(client)
    page = client.get(f"/apply/{application_id}/notice").get_data(as_text=True)
    assert "办理须知" in page and "我已经阅读" in page
    assert submit(client, f"/apply/{application_id}/notice", {"acknowledged": "y", "action": "next"}).status_code == 303

    # 暂存 the first member, then upload the photo and attachments under the form.
    response = save_member(client, application_id, "draft")
    assert response.status_code == 303
    first = scalar(select(ApplicationMember.id).where(ApplicationMember.application_id == application_id))
    form = client.get(member_page(application_id, first)).get_data(as_text=True)
    assert "个人事项表" in form and "营业执照副本" in form and "因公出国" not in form, "民营企业材料"
    upload_member_files(client, application_id, first)
    assert save_member(client, application_id, "next_person", member=first).status_code == 303

    # 成员核查 brings up the second member from an earlier entry.
    checked = submit(client, member_page(application_id), {"id_number": valid_id("45010319900707002"), "action": "check"})
    assert "成员核查：已带出 陆海燕" in checked.get_data(as_text=True)
    assert 'value="E45010322"' in checked.get_data(as_text=True)
    response = save_member(client, application_id, "draft", id_number=valid_id("45010319900707002"), name="陆海燕",
                           passport_number="E45010322", gender="F")
    assert response.status_code == 303
    second = scalar(select(ApplicationMember.id).where(ApplicationMember.person_id == existing))
    assert second is not None, "the earlier person is reused, not duplicated"
    upload_member_files(client, application_id, second)

    assert submit(client, member_page(application_id, second), dict(
        MEMBER, id_number=valid_id("45010319900707002"), name="陆海燕", passport_number="E45010322", gender="F",
        action="next")).headers["Location"].endswith("/report")

    refused = report(client, application_id)
    assert refused.status_code == 422
    assert "请上传APEC商务旅行卡申请函" in refused.get_data(as_text=True)
    assert upload(client, application_id, "application_letter").status_code == 303
    response = report(client, application_id)
    assert response.status_code == 303
    application = scalar(select(Application).where(Application.id == application_id))
    assert application.status == "submitted" and application.fee == 1440
    assert application.payment_method == "online" and application.purpose == "赴日本、韩国洽谈业务"
    assert application.invoice_snapshot["title"] == "广西测试企业有限公司"

    listing = client.get("/user-center/").get_data(as_text=True)
    assert "我的办件" in listing and application.number in listing and "已提交，待受理" in listing
    assert scalar(select(Person.id).where(Person.name == "陆海燕")) == existing


def test_state_owned_enterprise_gets_the_state_material_set(app, client, make_enterprise):
    _, email = make_enterprise(province="guangxi", office="guangxi", ownership="state")
    login(client, email)
    application_id = start(client)
    save_member(client, application_id, "draft")
    page = client.get(member_page(application_id, "")).get_data(as_text=True)
    assert "因公出国（境）审批意见" in page and "营业执照副本" not in page


def test_bad_member_input_is_kept_and_nothing_is_added(app, client, scalar, guangxi):
    application_id = start(client)
    response = save_member(client, application_id, "next_person", passport_number="X1", mobile="123")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "护照号码格式不正确" in page and 'value="黄振宁"' in page
    assert scalar(select(ApplicationMember.id)) is None
    again = client.get(member_page(application_id)).get_data(as_text=True)
    assert 'value="X1"' in again, "what was typed survives leaving the page"


def test_report_keeps_what_was_typed_when_it_does_not_validate(client, scalar, guangxi):
    application_id = start(client)
    response = report(client, application_id, action="draft", payment_method="", purpose="洽谈业务")
    assert response.status_code == 200, "暂存 keeps a draft, however incomplete"
    assert "已暂存" in response.get_data(as_text=True) and "请选择支付方式" in response.get_data(as_text=True)
    response = report(client, application_id, action="submit", payment_method="", purpose="洽谈业务")
    assert response.status_code == 422
    assert "请选择支付方式" in response.get_data(as_text=True)
    assert 'value="南宁市青秀区民族大道100号"' in client.get(f"/apply/{application_id}/report").get_data(as_text=True)


def test_report_from_a_stale_page_changes_nothing(client, scalar, guangxi):
    application_id = start(client)
    response = report(client, application_id, action="draft", version="999")
    assert response.status_code == 409
    assert scalar(select(Application.purpose).where(Application.id == application_id)) == ""


def test_unsaved_member_input_keeps_identity_numbers_sealed(app, client, scalar, guangxi):
    from sqlalchemy import text

    from apec.extensions import db

    application_id = start(client)
    save_member(client, application_id, "draft", mobile="123")
    with app.app_context():
        raw = str(db.session.execute(text("SELECT extra FROM application")).scalar_one())
    assert valid_id(MEMBER["id_number"][:17]) not in raw and "E45010311" not in raw
    again = client.get(member_page(application_id)).get_data(as_text=True)
    assert f'value="{valid_id(MEMBER["id_number"][:17])}"' in again and 'value="E45010311"' in again


def test_a_refused_member_leaves_the_stored_person_unchanged(app, client, scalar, guangxi):
    from .factories import add_card

    holder = add_person(app, guangxi, name="持卡人", id_number=valid_id("45010319900707002"), passport="E45010322")
    add_card(app, holder, valid_to=datetime.date.today() + datetime.timedelta(days=700))
    application_id = start(client)
    response = save_member(client, application_id, "draft", id_number=valid_id("45010319900707002"), name="持卡人",
                           passport_number="E45010322", gender="F", position="改过的职务")
    assert response.status_code == 422
    assert "已持有有效的 APEC 卡" in response.get_data(as_text=True)
    assert scalar(select(Person.position).where(Person.id == holder)) == "经理"


def test_member_upload_without_javascript_returns_to_that_member(client, scalar, guangxi):
    application_id = start(client)
    save_member(client, application_id, "draft")
    member_id = scalar(select(ApplicationMember.id))
    response = upload(client, application_id, "passport_page", member_id=member_id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/apply/{application_id}/members?member={member_id}")


def test_report_posted_again_after_submission_is_a_409(client, scalar, guangxi):
    application_id = start(client)
    submit(client, f"/apply/{application_id}/notice", {"acknowledged": "y", "action": "next"})
    save_member(client, application_id, "draft")
    member_id = scalar(select(ApplicationMember.id))
    upload_member_files(client, application_id, member_id)
    upload(client, application_id, "application_letter")
    first_page = client.get(f"/apply/{application_id}/report").get_data(as_text=True)
    stale_version = re.search(r'name="version" value="(\d+)"', first_page).group(1)
    assert report(client, application_id).status_code == 303
    again = report(client, application_id, version=stale_version)
    assert again.status_code == 409
    assert scalar(select(Application.status).where(Application.id == application_id)) == "submitted"


def test_the_detail_pages_show_the_payment_method_and_invoice_chosen_at_report(app, client, make_enterprise,
                                                                               make_staff):
    from apec.extensions import db

    from .factories import add_person, staff, submitted_application

    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)],
                                           payment_method="window")
    with app.app_context():
        db.session.get(Application, application_id).invoice_snapshot = {"title": "广西测试公司",
                                                                         "tax_number": "91450100MA5K8N2P3L"}
        db.session.commit()
    login(client, email)
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "<dt>支付方式</dt><dd>窗口支付</dd>" in detail and "广西测试公司（91450100MA5K8N2P3L）" in detail
    reviewer = staff(app, make_staff("gx@example.com", province="guangxi", office="guangxi"))
    page = reviewer.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert "<dt>支付方式</dt><dd>窗口支付</dd>" in page and "广西测试公司" in page


def test_a_members_attachments_take_a_named_file_of_their_own(app, client, scalar, guangxi):
    from apec.materials.models import Material

    application_id = start(client)
    submit(client, f"/apply/{application_id}/notice", {"acknowledged": "y", "action": "next"})
    assert save_member(client, application_id, "draft").status_code == 303
    member_id = scalar(select(ApplicationMember.id).where(ApplicationMember.application_id == application_id))
    form = client.get(member_page(application_id, member_id)).get_data(as_text=True)
    assert f'id="slot-custom-{member_id}"' in form and "如还需上传黄振宁的其他附件" in form

    unnamed = upload(client, application_id, member_id=member_id, title="", htmx=True)
    assert unnamed.status_code == 422 and "请填写附件名称" in unnamed.get_data(as_text=True)
    named = upload(client, application_id, member_id=member_id, title="在职证明补充", htmx=True)
    assert named.status_code == 200 and "在职证明补充" in named.get_data(as_text=True)
    assert f'id="slot-custom-{member_id}"' in named.get_data(as_text=True)
    assert scalar(select(Material.member_id).where(Material.title == "在职证明补充")) == member_id

    without_js = upload(client, application_id, member_id=member_id, title="合作协议")
    assert without_js.status_code == 303 and without_js.headers["Location"].endswith(f"member={member_id}")
    assert "合作协议" in client.get(member_page(application_id, member_id)).get_data(as_text=True)
