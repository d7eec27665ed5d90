"""新办/续办 on the per-applicant flow (Hunan: 在线填表 → 上传材料 → 取卡方式 → 信息确认 → 提交)."""

import re

import pytest
from sqlalchemy import func, select

from apec.applications.models import Application, TimelineEvent
from apec.materials.models import Material
from apec.notifications.models import Message

from .conftest import login, submit
from .factories import (
    NOT_A_PDF, PDF, add_person, complete_hunan, fill_form, image_bytes, member_id_of, start, upload, version_of,
)

@pytest.fixture
def hunan(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    return {"enterprise_id": enterprise_id, "person_id": person_id, "email": email}


def test_submitted_application_gets_number_office_fee_timeline_and_message(client, scalar, count, hunan):
    application_id = start(client)
    complete_hunan(client, scalar, application_id, hunan["person_id"])
    confirm = client.get(f"/apply/{application_id}/confirm").get_data(as_text=True)
    assert "宋文泰" in confirm and "邮寄：袁媛" in confirm and "以下内容尚未完成" not in confirm

    response = submit(client, f"/apply/{application_id}/submit",
                      {"version": version_of(scalar, application_id)}, page=f"/apply/{application_id}/confirm")
    assert response.status_code == 303
    application = scalar(select(Application).where(Application.id == application_id))
    assert re.fullmatch(r"APEC\d{8}000001", application.number)
    assert application.status == "submitted"
    assert application.office_code == "hunan"
    assert application.fee == 720

    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert application.number in detail
    assert "已提交，待受理" in detail and "湖南省人民政府外事办公室" in detail and "¥ 720" in detail
    assert count(TimelineEvent) == 1
    assert scalar(select(Message.title)) == f"申请单 {application.number} 已提交"

    listing = client.get("/user-center/?tab=new").get_data(as_text=True)
    assert application.number in listing and "已提交，待受理" in listing
    assert "110105199805152516" not in detail + listing, "identity numbers are masked"


def test_second_submit_of_the_same_draft_changes_nothing_and_says_so(client, scalar, count, hunan):
    application_id = start(client)
    complete_hunan(client, scalar, application_id, hunan["person_id"])
    version = version_of(scalar, application_id)
    first = submit(client, f"/apply/{application_id}/submit", {"version": version}, page="/user-center/")
    number = scalar(select(Application.number).where(Application.id == application_id))
    second = submit(client, f"/apply/{application_id}/submit", {"version": version}, page="/user-center/")
    assert first.status_code == 303
    assert second.status_code == 409
    assert "已提交" in second.get_data(as_text=True)
    assert scalar(select(Application.number).where(Application.id == application_id)) == number
    assert count(TimelineEvent) == 1
    assert scalar(select(func.count(Message.id))) == 1


def test_stale_version_from_another_tab_is_refused(client, scalar, hunan):
    application_id = start(client)
    complete_hunan(client, scalar, application_id, hunan["person_id"])
    response = submit(client, f"/apply/{application_id}/submit", {"version": 1}, page="/user-center/")
    assert response.status_code == 409
    assert "刷新页面" in response.get_data(as_text=True)
    assert scalar(select(Application.status).where(Application.id == application_id)) == "draft"


def test_incomplete_application_lists_what_is_missing_and_stays_a_draft(client, scalar, hunan):
    application_id = start(client)
    fill_form(client, application_id, hunan["person_id"])
    response = submit(client, f"/apply/{application_id}/submit",
                      {"version": version_of(scalar, application_id)}, page="/user-center/")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请上传营业执照副本" in page
    assert "宋文泰：请上传证件照片" in page
    assert "请选择取卡方式" in page
    application = scalar(select(Application).where(Application.id == application_id))
    assert application.status == "draft" and application.number is None


def test_bad_step_input_is_kept_across_logout(app, client, scalar, hunan):
    application_id = start(client)
    response = fill_form(client, application_id, hunan["person_id"], contact_phone="12", contact_name="袁媛")
    assert response.status_code == 422
    assert "请填写手机号码或带区号的固定电话" in response.get_data(as_text=True)

    submit(client, "/logout", {}, page="/user-center/")
    again = app.test_client()
    login(again, hunan["email"])
    page = again.get(f"/apply/{application_id}/form").get_data(as_text=True)
    assert 'value="袁媛"' in page and 'value="12"' in page, "what was typed is still there"
    assert "请填写手机号码或带区号的固定电话" in page


def test_draft_appears_in_the_list_and_continues_where_it_was(client, scalar, hunan):
    application_id = start(client)
    fill_form(client, application_id, hunan["person_id"], action="draft")
    listing = client.get("/user-center/").get_data(as_text=True)
    assert "暂存" in listing and "继续填写" in listing
    page = client.get(f"/apply/{application_id}/form").get_data(as_text=True)
    assert 'value="13456767660"' in page


# --- materials ------------------------------------------------------------------------------


def test_file_type_is_decided_by_content_not_name(client, scalar, count, hunan):
    application_id = start(client)
    response = upload(client, application_id, "business_license", data=NOT_A_PDF, filename="license.pdf", htmx=True)
    assert response.status_code == 422
    assert "只能上传 PDF、JPG、PNG 格式的文件" in response.get_data(as_text=True)
    assert count(Material) == 0


def test_photo_must_have_the_pixel_size_and_white_background(client, scalar, count, hunan):
    application_id = start(client)
    fill_form(client, application_id, hunan["person_id"])
    member_id = member_id_of(scalar, application_id)
    wrong_size = upload(client, application_id, "photo", data=image_bytes((640, 480)), filename="p.jpg",
                        member_id=member_id, htmx=True)
    assert "宽 600 像素、高 800 像素" in wrong_size.get_data(as_text=True)
    blue = upload(client, application_id, "photo", data=image_bytes(color="blue"), filename="p.jpg",
                  member_id=member_id, htmx=True)
    assert "须为白色背景" in blue.get_data(as_text=True)
    pdf_photo = upload(client, application_id, "photo", data=PDF, filename="p.pdf", member_id=member_id, htmx=True)
    assert "只能上传 JPG、PNG" in pdf_photo.get_data(as_text=True)
    assert count(Material) == 0
    good = upload(client, application_id, "photo", data=image_bytes(), filename="照片.jpg", member_id=member_id,
                  htmx=True)
    assert good.status_code == 200 and "照片.jpg" in good.get_data(as_text=True)


def test_request_over_the_upload_limit_is_a_413_with_a_chinese_message(app, client, count, hunan):
    application_id = start(client)
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, application_id, "business_license", data=big)
    assert response.status_code == 413
    assert "大小限制" in response.get_data(as_text=True)
    assert count(Material) == 0


def test_too_large_an_upload_without_javascript_comes_back_to_its_step_with_the_message(app, client, count, hunan):
    application_id = start(client)
    step = f"/apply/{application_id}/materials"
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, application_id, "business_license", data=big,
                      headers={"Referer": f"http://localhost{step}"})
    assert response.status_code == 303 and response.headers["Location"] == step
    page = client.get(step).get_data(as_text=True)
    assert "大小限制，请压缩后重新上传" in page and "上传材料" in page
    assert count(Material) == 0
    elsewhere = upload(client, application_id, "business_license", data=big,
                       headers={"Referer": "http://evil.example/apply"})
    assert elsewhere.status_code == 413, "only back to a page of this site"


def test_file_over_the_material_size_limit_is_refused(client, scalar, count, hunan):
    application_id = start(client)
    fill_form(client, application_id, hunan["person_id"])
    member_id = member_id_of(scalar, application_id)
    big_png = image_bytes(kind="PNG") + b"\0" * (2 * 1024 * 1024)
    response = upload(client, application_id, "photo", data=big_png, filename="p.png", member_id=member_id,
                      htmx=True)
    assert "不能超过 2 MB" in response.get_data(as_text=True)
    assert count(Material) == 0


def test_download_has_attachment_name_and_nosniff_and_preview_is_inline(client, scalar, hunan):
    application_id = start(client)
    upload(client, application_id, "business_license", filename="营业执照.pdf")
    material_id = scalar(select(Material.id))
    download = client.get(f"/materials/{material_id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in download.headers["Content-Disposition"]
    assert client.get(f"/materials/{material_id}/file").headers["Content-Disposition"].startswith("inline;")
    preview = client.get(f"/materials/{material_id}/preview").get_data(as_text=True)
    assert "预览：营业执照副本" in preview and f"/materials/{material_id}/download" in preview and "营业执照.pdf" in preview
    stored = scalar(select(Material.stored_name))
    assert "营业执照" not in stored and ".pdf" not in stored, "stored under a random name"


def test_deleted_material_is_gone_from_storage(app, client, scalar, count, hunan):
    from apec.materials.storage import get_storage

    application_id = start(client)
    upload(client, application_id, "business_license")
    material_id, key = scalar(select(Material.id)), scalar(select(Material.stored_name))
    response = submit(client, f"/apply/{application_id}/files/{material_id}/delete", {}, page="/user-center/")
    assert response.status_code == 303
    assert count(Material) == 0
    with app.app_context(), pytest.raises(FileNotFoundError):
        get_storage().read(key)


def test_custom_attachment_needs_a_name(client, count, hunan):
    application_id = start(client)
    refused = upload(client, application_id, title="", htmx=True)
    assert "请填写附件名称" in refused.get_data(as_text=True)
    accepted = upload(client, application_id, title="合作协议", htmx=True)
    assert accepted.status_code == 200 and "合作协议" in accepted.get_data(as_text=True)
    assert count(Material) == 1


def test_other_enterprise_and_anonymous_users_cannot_reach_materials_or_applications(
        app, client, scalar, make_enterprise, make_staff, hunan):
    application_id = start(client)
    upload(client, application_id, "business_license")
    material_id = scalar(select(Material.id))

    other = app.test_client()
    _, email = make_enterprise(province="hunan", office="hunan")
    login(other, email)
    for url in (f"/materials/{material_id}/download", f"/materials/{material_id}/preview",
                f"/apply/{application_id}/form", f"/user-center/applications/{application_id}"):
        assert other.get(url).status_code == 404, url
    assert submit(other, f"/apply/{application_id}/files/{material_id}/delete", {},
                  page="/user-center/").status_code == 404
    assert app.test_client().get(f"/materials/{material_id}/download").status_code == 302

    reviewer = app.test_client()
    make_staff("shenhe@example.com", province="hunan", office="hunan")
    login(reviewer, "shenhe@example.com", tab="staff")
    assert reviewer.get(f"/materials/{material_id}/download").status_code == 404, "a draft is not the office's yet"


def test_a_submitted_application_shows_what_was_submitted_even_after_the_person_changes(app, client, scalar, hunan):
    from apec.enterprises.models import Person
    from apec.extensions import db

    application_id = start(client)
    complete_hunan(client, scalar, application_id, hunan["person_id"])
    submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
           page="/user-center/")
    with app.app_context():
        db.session.get(Person, hunan["person_id"]).name = "改名后"
        db.session.commit()
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "宋文泰" in detail and "改名后" not in detail


def test_posting_a_step_or_confirm_again_after_submission_is_a_409(client, scalar, count, hunan):
    application_id = start(client)
    complete_hunan(client, scalar, application_id, hunan["person_id"])
    version = version_of(scalar, application_id)
    submit(client, f"/apply/{application_id}/submit", {"version": version}, page="/user-center/")
    again = submit(client, f"/apply/{application_id}/confirm", {"version": version}, page="/user-center/")
    assert again.status_code == 409 and "无需重复提交" in again.get_data(as_text=True)
    assert count(TimelineEvent) == 1


def test_huge_picture_is_refused_from_its_header_without_decoding(client, count, hunan):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (8900, 8900), 1).save(buffer, "PNG")  # a few hundred KB, 79 million pixels
    application_id = start(client)
    response = upload(client, application_id, title="大图", data=buffer.getvalue(), filename="big.png", htmx=True)
    assert response.status_code == 422
    assert "像素过大" in response.get_data(as_text=True)
    assert count(Material) == 0


def test_htmx_upload_over_the_limit_is_told_in_the_message_area(app, client, hunan):
    application_id = start(client)
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(client, application_id, "business_license", data=big, htmx=True)
    assert response.status_code == 413
    assert response.headers["HX-Retarget"] == "#flash-area"
    assert "大小限制" in response.get_data(as_text=True) and "<html" not in response.get_data(as_text=True)


def test_leaving_a_field_checks_it_inline(client, hunan):
    from .conftest import csrf_token_from

    application_id = start(client)
    token = csrf_token_from(client.get(f"/apply/{application_id}/form").get_data(as_text=True))
    response = client.post(f"/apply/{application_id}/form/check", data={"contact_phone": "12", "csrf_token": token},
                           headers={"HX-Request": "true", "HX-Trigger-Name": "contact_phone"})
    fragment = response.get_data(as_text=True)
    assert 'id="contact_phone-feedback"' in fragment and "请填写手机号码或带区号的固定电话" in fragment
    assert "<input" not in fragment and "请填写联系人姓名" not in fragment
