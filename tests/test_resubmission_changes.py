"""After a 退回, what the enterprise changed is listed for the office that returned it: the
sections whose values differ and the files replaced, added or deleted since the submission."""

from sqlalchemy import select

from apec.applications.models import ApplicationMember, TimelineEvent
from apec.materials.models import Material

from .conftest import submit
from .factories import PDF, act, staff, upload, version_of


def returned(app, scalar, hunan_submitted, **flags):
    office = staff(app, "hunan.office@example.com")
    act(office, scalar, hunan_submitted["id"], "accept")
    act(office, scalar, hunan_submitted["id"], "return", comment="请按意见修改", **flags)
    return office


def resubmit(scalar, enterprise, application_id):
    response = submit(enterprise, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                      page="/user-center/")
    assert response.status_code == 303


def changes(scalar, application_id):
    event = scalar(select(TimelineEvent).where(TimelineEvent.application_id == application_id,
                                               TimelineEvent.action == "submit",
                                               TimelineEvent.from_status == "returned"))
    return event.data["changes"]


def test_changed_contact_and_replaced_letter_are_listed_in_the_queue_and_on_the_page(app, scalar,
                                                                                      hunan_submitted):
    application_id, enterprise = hunan_submitted["id"], hunan_submitted["enterprise"]
    letter = scalar(select(Material.id).where(Material.kind == "enterprise_letter"))
    office = returned(app, scalar, hunan_submitted, field=["contact"],
                      **{f"material-{letter}": "y", f"material-note-{letter}": "未盖章"})
    applicant = scalar(select(ApplicationMember.person_id).where(ApplicationMember.application_id == application_id))
    saved = submit(enterprise, f"/apply/{application_id}/form", {"applicant": str(applicant), "contact_name": "袁媛",
                                                                 "contact_phone": "13900001111", "action": "next"})
    assert saved.status_code == 303
    replaced = submit(enterprise, f"/apply/{application_id}/files",
                      {"file": (__import__("io").BytesIO(PDF), "盖章申请函.pdf"), "kind": "enterprise_letter",
                       "replace": str(letter)}, page="/user-center/", content_type="multipart/form-data")
    assert replaced.status_code == 303
    resubmit(scalar, enterprise, application_id)

    assert changes(scalar, application_id) == {"sections": ["联系人信息"], "materials": ["已替换 企业申请函"]}
    queue = office.get("/staff/").get_data(as_text=True)
    assert "重新提交" in queue and "已修改 联系人信息；已替换 企业申请函" in queue
    page = office.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert "修改的内容：联系人信息" in page and "已替换 企业申请函" in page


def test_an_added_and_a_deleted_file_are_listed(app, scalar, hunan_submitted):
    application_id, enterprise = hunan_submitted["id"], hunan_submitted["enterprise"]
    returned(app, scalar, hunan_submitted)
    licence = scalar(select(Material.id).where(Material.kind == "business_license"))
    submit(enterprise, f"/apply/{application_id}/files/{licence}/delete", {}, page="/user-center/")
    upload(enterprise, application_id, "business_license", filename="新执照.pdf")
    assert upload(enterprise, application_id, title="补充说明").status_code == 303
    resubmit(scalar, enterprise, application_id)
    listed = changes(scalar, application_id)
    assert listed["sections"] == []
    assert sorted(listed["materials"]) == ["已替换 营业执照副本", "新增 补充说明"]


def test_a_resubmission_without_changes_says_so(app, scalar, hunan_submitted):
    application_id, enterprise = hunan_submitted["id"], hunan_submitted["enterprise"]
    office = returned(app, scalar, hunan_submitted)
    resubmit(scalar, enterprise, application_id)
    assert changes(scalar, application_id) == {"sections": [], "materials": []}
    assert "未作修改" in office.get("/staff/").get_data(as_text=True)
