"""Each material takes at most its number of files: uploading into a full slot replaces a file,
after the user confirms; once submitted, the replaced file is kept as history for the office."""

import hashlib
import io

import pytest
from sqlalchemy import func, select

from apec.materials.models import Material
from apec.provinces.registry import ProvinceConfigError, load_provinces

from .conftest import login, submit
from .factories import PDF, add_person, image_bytes, start
from .factories import complete_hunan, fill_form, member_id_of, version_of
from .factories import act, staff


@pytest.fixture
def hunan(app, client, make_enterprise, make_staff):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    return {"enterprise_id": enterprise_id, "person_id": person_id}


def send_file(client, application_id, kind, member_id=None, data=None, filename="file.pdf", replace=None,
              htmx=False):
    """The slot's upload form as a browser sends it; `replace` is the confirmed file's id."""
    form = {"kind": kind, "file": (io.BytesIO(data or PDF), filename)}
    if member_id:
        form["member_id"] = str(member_id)
    if replace is not None:
        form["replace"] = str(replace)
    headers = {"HX-Request": "true"} if htmx else {}
    return submit(client, f"/apply/{application_id}/files", form, page="/user-center/",
                  content_type="multipart/form-data", headers=headers)


def send_photo(client, application_id, member_id, filename, replace=None, htmx=False):
    return send_file(client, application_id, "photo", member_id, data=image_bytes(), filename=filename,
                     replace=replace, htmx=htmx)


def current_files(scalar, application_id, kind):
    return scalar(select(func.count()).select_from(Material).where(
        Material.application_id == application_id, Material.kind == kind, Material.superseded_at.is_(None)))


def material_id(scalar, name):
    return scalar(select(Material.id).where(Material.original_name == name))


def section(page: str, start_marker: str, end_marker: str) -> str:
    begin = page.index(start_marker)
    return page[begin:page.index(end_marker, begin)]


def photo_draft(client, scalar, person_id):
    application_id = start(client)
    assert fill_form(client, application_id, person_id, action="draft").status_code == 303
    member_id = member_id_of(scalar, application_id)
    assert send_photo(client, application_id, member_id, "第一张.jpg").status_code == 303
    return application_id, member_id


# --- a full slot: refused without confirmation, replaced with it ------------------------------


def test_a_second_photo_is_refused_until_the_replacement_is_confirmed(client, scalar, count, hunan):
    application_id, member_id = photo_draft(client, scalar, hunan["person_id"])
    page = client.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    slot = section(page, f'id="slot-{member_id}-photo"', 'class="material-slot')
    assert "已上传 1 个文件（最多 1 个）。上传新文件将替换原文件。" in slot
    first_id = material_id(scalar, "第一张.jpg")
    assert f'<input type="checkbox" name="replace" value="{first_id}" required> 确认替换原文件' in slot
    assert ">替换文件</button>" in slot

    refused = send_photo(client, application_id, member_id, "第二张.jpg", htmx=True)
    assert refused.status_code == 422
    fragment = refused.get_data(as_text=True)
    assert fragment.startswith('<div class="material-slot') and f'id="slot-{member_id}-photo"' in fragment
    assert "证件照片已上传 1 个文件（最多 1 个）" in fragment and "请勾选“确认替换原文件”" in fragment
    assert "第一张.jpg" in fragment and "第二张.jpg" not in fragment
    assert count(Material) == 1

    without_javascript = send_photo(client, application_id, member_id, "第二张.jpg")
    assert without_javascript.status_code == 303
    page = client.get(without_javascript.headers["Location"]).get_data(as_text=True)
    assert "原文件未作改动" in page and "第二张.jpg" not in page
    assert count(Material) == 1


def test_a_confirmed_replacement_in_a_draft_leaves_only_the_new_file(app, client, scalar, count, hunan):
    from apec.materials.storage import get_storage

    application_id, member_id = photo_draft(client, scalar, hunan["person_id"])
    first_id = material_id(scalar, "第一张.jpg")
    first_key = scalar(select(Material.stored_name).where(Material.id == first_id))

    response = send_photo(client, application_id, member_id, "第二张.jpg", replace=first_id, htmx=True)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert fragment.startswith('<div class="material-slot')
    assert "第二张.jpg" in fragment and "第一张.jpg" not in fragment
    assert "已上传 1 个文件（最多 1 个）" in fragment, "still full: the next upload replaces again"
    assert count(Material) == 1, "a draft keeps no history"
    with app.app_context(), pytest.raises(FileNotFoundError):
        get_storage().read(first_key)

    second_id = material_id(scalar, "第二张.jpg")
    without_javascript = send_photo(client, application_id, member_id, "第三张.jpg", replace=second_id)
    assert without_javascript.status_code == 303
    page = client.get(without_javascript.headers["Location"]).get_data(as_text=True)
    assert "已替换原文件。" in page and "第三张.jpg" in page and "第二张.jpg" not in page
    assert count(Material) == 1


def test_a_slot_for_several_files_takes_them_up_to_its_count(app, client, scalar, count, hunan):
    from apec.provinces.registry import get_province

    with app.app_context():
        spec = next(s for s in get_province("hunan").config.materials["new"] if s.code == "employment_proof")
    assert spec.max_count > 1, "社保缴费明细 runs to several pages"
    application_id = start(client)
    fill_form(client, application_id, hunan["person_id"], action="draft")
    member_id = member_id_of(scalar, application_id)
    for page_number in range(1, spec.max_count + 1):
        response = send_file(client, application_id, "employment_proof", member_id, filename=f"第{page_number}页.pdf",
                             htmx=True)
        assert response.status_code == 200, page_number
    fragment = response.get_data(as_text=True)
    assert f"已上传 {spec.max_count} 个文件（最多 {spec.max_count} 个）。上传新文件将替换所选的文件。" in fragment
    assert fragment.count('type="radio" name="replace"') == spec.max_count

    refused = send_file(client, application_id, "employment_proof", member_id, filename="多余.pdf", htmx=True)
    assert refused.status_code == 422 and "请选择要替换的文件" in refused.get_data(as_text=True)
    assert current_files(scalar, application_id, "employment_proof") == spec.max_count

    second = material_id(scalar, "第2页.pdf")
    replaced = send_file(client, application_id, "employment_proof", member_id, filename="第2页（清晰）.pdf",
                         replace=second, htmx=True)
    fragment = replaced.get_data(as_text=True)
    assert replaced.status_code == 200 and "第2页（清晰）.pdf" in fragment and "第2页.pdf" not in fragment
    assert "第1页.pdf" in fragment and "第3页.pdf" in fragment, "only the chosen file is replaced"
    assert count(Material) == spec.max_count


def test_custom_attachments_are_not_limited(client, count, hunan):
    application_id = start(client)
    for number in range(3):
        form = {"title": "合作协议", "file": (io.BytesIO(PDF), f"协议{number}.pdf")}
        response = submit(client, f"/apply/{application_id}/files", form, page="/user-center/",
                          content_type="multipart/form-data", headers={"HX-Request": "true"})
        assert response.status_code == 200
    assert count(Material) == 3


# --- after a 退回: the flagged file is replaced, kept as history, shown so to the office ---------


def returned_for_a_blurry_photo(app, client, scalar, person_id):
    application_id = start(client)
    complete_hunan(client, scalar, application_id, person_id)
    assert submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                  page="/user-center/").status_code == 303
    photo_id = scalar(select(Material.id).where(Material.kind == "photo"))
    office = staff(app, "hunan.office@example.com")
    response = act(office, scalar, application_id, "return", comment="请按意见修改",
                   **{f"material-{photo_id}": "y", f"material-note-{photo_id}": "照片模糊"})
    assert response.status_code == 303
    return application_id, photo_id, office


def test_a_replaced_flagged_photo_is_history_and_the_office_sees_it_replaced(app, client, scalar, count, hunan):
    application_id, old_id, office = returned_for_a_blurry_photo(app, client, scalar, hunan["person_id"])
    member_id = member_id_of(scalar, application_id)
    before = client.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    assert "照片模糊" in before

    response = send_photo(client, application_id, member_id, "清晰照片.jpg", replace=old_id)
    assert response.status_code == 303
    after = client.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    assert "照片模糊" not in after, "the opinion was on the old file, which is replaced"
    assert "清晰照片.jpg" in after and "photo.jpg" not in after
    assert current_files(scalar, application_id, "photo") == 1
    assert count(Material) == 6, "five current files and the old photo kept as history"
    new_id = material_id(scalar, "清晰照片.jpg")
    assert scalar(select(Material.replaced_by_id).where(Material.id == old_id)) == new_id
    assert client.get(f"/materials/{old_id}/download").status_code == 200, "history stays downloadable"

    assert submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                  page="/user-center/").status_code == 303
    detail = office.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    materials = section(detail, "<dt>材料</dt>", "</ul>")  # the member's files, in their record
    assert materials.count("证件照片") == 1, "the office sees the photo once"
    assert "清晰照片.jpg" in materials and "已替换" in materials
    assert "原文件：" in materials and "photo.jpg" in materials and "（审核意见：照片模糊）" in materials
    assert f"/materials/{old_id}/download" in materials
    assert "历史文件 · 证件照片（宋文泰）" in detail
    assert f'name="material-{new_id}"' in detail and f'name="material-{old_id}"' not in detail, \
        "a new 退回 can flag only current files"
    old_file = office.get(f"/materials/{old_id}/download")
    assert old_file.status_code == 200
    assert hashlib.sha256(old_file.data).hexdigest() == scalar(select(Material.sha256).where(Material.id == old_id)), \
        "the old photo as stored (re-encoded), not the new one"


def test_a_file_deleted_after_submission_is_kept_as_history(app, client, scalar, count, hunan):
    application_id, old_id, office = returned_for_a_blurry_photo(app, client, scalar, hunan["person_id"])
    response = submit(client, f"/apply/{application_id}/files/{old_id}/delete", {}, page="/user-center/")
    assert response.status_code == 303
    assert current_files(scalar, application_id, "photo") == 0
    assert count(Material) == 5
    page = client.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    assert "photo.jpg" not in page and "照片模糊" not in page
    again = submit(client, f"/apply/{application_id}/files/{old_id}/delete", {}, page="/user-center/")
    assert again.status_code == 404, "history is not the enterprise's to delete"
    refused = submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                     page="/user-center/")
    assert refused.status_code == 422 and "请上传证件照片" in refused.get_data(as_text=True)
    detail = office.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    history = section(detail, "历史文件 · 证件照片", "</li>")
    assert "photo.jpg" in history and "已删除" in history and "审核意见：照片模糊" in history


def test_a_file_uploaded_after_the_return_and_replaced_again_leaves_no_history(app, client, scalar, count, hunan):
    """The office never saw it: only files that were there at the last submission are history."""
    application_id, old_id, _ = returned_for_a_blurry_photo(app, client, scalar, hunan["person_id"])
    member_id = member_id_of(scalar, application_id)
    send_photo(client, application_id, member_id, "第二张.jpg", replace=old_id)
    second = material_id(scalar, "第二张.jpg")
    send_photo(client, application_id, member_id, "第三张.jpg", replace=second)
    assert count(Material) == 6, "five current files and the one the office saw"
    assert material_id(scalar, "第二张.jpg") is None


def test_removing_a_member_after_a_return_removes_its_files_and_their_history(app, scalar, count, make_enterprise,
                                                                              make_staff):
    from apec.applications.models import ApplicationMember

    from .factories import submitted_application

    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    first = add_person(app, enterprise_id)
    second = add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")
    application_id = submitted_application(app, enterprise_id, [first, second])
    make_staff("hebei.office@example.com")
    office = staff(app, "hebei.office@example.com")
    assert act(office, scalar, application_id, "return", comment="请补充").status_code == 303
    enterprise = app.test_client()
    login(enterprise, email)
    member_id = scalar(select(ApplicationMember.id).where(ApplicationMember.person_id == first))
    old_photo = scalar(select(Material.id).where(Material.member_id == member_id, Material.kind == "photo"))
    assert send_photo(enterprise, application_id, member_id, "新照片.jpg", replace=old_photo).status_code == 303
    files_before = count(Material)

    response = submit(enterprise, f"/apply/{application_id}/members/{member_id}/remove", {},
                      page=f"/apply/{application_id}/members")
    assert response.status_code == 303
    assert scalar(select(func.count()).select_from(Material).where(Material.member_id == member_id)) == 0
    assert count(Material) == files_before - 5, "its four current files and the replaced photo"
    page = enterprise.get(f"/apply/{application_id}/materials").get_data(as_text=True)
    assert "新照片.jpg" not in page and "单丽娜 的材料" in page


# --- the province's data -----------------------------------------------------------------------


def test_a_material_taking_no_file_stops_start_up_naming_file_and_key(tmp_path):
    path = tmp_path / "liaoning.toml"
    path.write_text('[[materials.new]]\ncode = "photo"\nlabel = "照片"\nmax_count = 0\n', encoding="utf-8")
    with pytest.raises(ProvinceConfigError) as error:
        load_provinces(["liaoning"], tmp_path)
    message = str(error.value)
    assert str(path) in message
    assert "materials.new.0.max_count" in message
    assert "greater than or equal to 1" in message
