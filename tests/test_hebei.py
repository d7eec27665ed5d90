"""Hebei (seed 003): 制卡说明 → 信息填写（申报条件）→ 添加人员 → 上传附件 → 提交; 撤回 → 未提交 → 编辑 → 重新提交."""

import datetime

import pytest
from sqlalchemy import select

from apec.applications.models import Application, ApplicationMember, TimelineEvent

from .conftest import login, submit
from .factories import add_person, image_bytes, start, upload


@pytest.fixture
def hebei(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    first = add_person(app, enterprise_id)
    second = add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")
    login(client, email)
    return {"first": first, "second": second}


def fill_hebei(client, scalar, application_id, persons):
    assert submit(client, f"/apply/{application_id}/notice", {"acknowledged": "y", "action": "next"}).status_code == 303
    response = submit(client, f"/apply/{application_id}/form", {
        "employees": "65", "tax_grade": "B", "trade_kind": "goods", "trade_note": "向越南、泰国出口机械设备",
        "contact_name": "张立华", "contact_phone": "0311-86681234", "action": "next",
    })
    assert response.status_code == 303
    for person_id in persons:
        assert submit(client, f"/apply/{application_id}/members/add", {"person": str(person_id)},
                      page=f"/apply/{application_id}/members").status_code == 303
    for kind in ("business_license", "trade_proof"):
        assert upload(client, application_id, kind).status_code == 303


def upload_member_files(client, application_id, member_id):
    for kind in ("passport_page", "id_card", "social_insurance"):
        assert upload(client, application_id, kind, member_id=member_id).status_code == 303
    assert upload(client, application_id, "photo", data=image_bytes(), filename="p.jpg",
                  member_id=member_id).status_code == 303


def member_ids(app, application_id):
    from apec.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(ApplicationMember.id).where(
            ApplicationMember.application_id == application_id).order_by(ApplicationMember.id)))


def version(scalar, application_id):
    return scalar(select(Application.version).where(Application.id == application_id))


def submitted_batch(app, client, scalar, person_id) -> int:
    """A one-person batch filled in through the steps and submitted."""
    application_id = start(client)
    fill_hebei(client, scalar, application_id, [person_id])
    upload_member_files(client, application_id, member_ids(app, application_id)[0])
    submit(client, f"/apply/{application_id}/submit", {"version": version(scalar, application_id)},
           page="/user-center/")
    return application_id


def test_notice_must_be_ticked_before_the_next_step(client, hebei):
    application_id = start(client)
    response = submit(client, f"/apply/{application_id}/notice", {"action": "next"})
    assert response.status_code == 422
    assert "请阅读制卡说明后勾选" in response.get_data(as_text=True)


def test_hebei_batch_is_submitted_withdrawn_edited_and_resubmitted(app, client, scalar, hebei):
    application_id = start(client)
    page = client.get(f"/apply/{application_id}/notice").get_data(as_text=True)
    for label in ("制卡说明", "信息填写", "添加人员", "上传附件", "提交"):
        assert label in page
    fill_hebei(client, scalar, application_id, [hebei["first"], hebei["second"]])
    for member_id in member_ids(app, application_id):
        upload_member_files(client, application_id, member_id)

    assert submit(client, f"/apply/{application_id}/submit", {"version": version(scalar, application_id)},
                  page="/user-center/").status_code == 303
    application = scalar(select(Application).where(Application.id == application_id))
    number = application.number
    assert application.fee == 1440, "720 per person"
    assert application.office_code == "shijiazhuang"

    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "撤回" in detail and "石家庄市人民政府外事办公室审核" in detail and "河北省人民政府外事办公室审核" in detail

    response = submit(client, f"/apply/{application_id}/withdraw", {"version": version(scalar, application_id)},
                      page="/user-center/")
    assert response.status_code == 303
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>未提交</h1>" in detail and "编辑" in detail

    edited = submit(client, f"/apply/{application_id}/form", {
        "employees": "70", "tax_grade": "B", "trade_kind": "goods", "trade_note": "向越南、泰国出口机械设备",
        "contact_name": "张立华", "contact_phone": "13911112222", "action": "next",
    })
    assert edited.status_code == 303
    assert submit(client, f"/apply/{application_id}/submit", {"version": version(scalar, application_id)},
                  page="/user-center/").status_code == 303
    application = scalar(select(Application).where(Application.id == application_id))
    assert application.status == "submitted"
    assert application.number == number, "resubmitting keeps the number"
    assert application.contact_phone == "13911112222"
    with app.app_context():
        from apec.extensions import db

        events = db.session.scalars(select(TimelineEvent.action).order_by(TimelineEvent.id)).all()
    assert events == ["submit", "withdraw", "submit"]

    history = client.get("/user-center/history").get_data(as_text=True)
    assert number in history and "已提交，待受理" in history


def test_withdraw_is_refused_where_the_province_does_not_allow_it(client, scalar, hunan_submitted):
    application_id = hunan_submitted["id"]
    assert "撤回" not in client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    response = submit(client, f"/apply/{application_id}/withdraw", {"version": version(scalar, application_id)},
                      page="/user-center/")
    assert response.status_code == 409
    assert "本省不支持撤回申请单" in response.get_data(as_text=True)
    assert scalar(select(Application.status).where(Application.id == application_id)) == "submitted"
    assert client.get(f"/apply/{application_id}/withdraw").status_code == 409, "nor its confirmation"
    assert client.get("/user-center/history").status_code == 404, "nor 申报历史查询, which is Hebei's (seed 003)"


def test_withdrawing_asks_first(app, client, scalar, hebei):
    application_id = submitted_batch(app, client, scalar, hebei["first"])
    page = client.get(f"/apply/{application_id}/withdraw").get_data(as_text=True)
    assert "确定撤回申请单" in page and "撤回后状态为“未提交”" in page
    assert scalar(select(Application.status).where(Application.id == application_id)) == "submitted", "only asked"
    assert "可在详情中点击【撤回】" in client.get("/user-center/history").get_data(as_text=True)


def test_submitted_application_can_no_longer_be_edited(app, client, scalar, hebei):
    application_id = submitted_batch(app, client, scalar, hebei["first"])
    response = client.get(f"/apply/{application_id}/form")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/applications/{application_id}")
    changed = submit(client, f"/apply/{application_id}/form", {
        "employees": "1", "tax_grade": "D", "trade_kind": "goods", "trade_note": "x",
        "contact_name": "改", "contact_phone": "13900000000", "action": "next"}, page="/user-center/")
    assert changed.status_code == 409
    assert "该申请单已提交，无需重复提交" in changed.get_data(as_text=True)
    assert scalar(select(Application.contact_name).where(Application.id == application_id)) == "张立华"
    refused = upload(client, application_id, "business_license")
    assert refused.status_code == 409


def test_history_lists_submissions_by_their_china_date(app, client, scalar, hebei):
    from sqlalchemy import update as update_

    from apec.extensions import db

    application_id = submitted_batch(app, client, scalar, hebei["first"])
    draft_id = start(client)
    # 2026-03-01 07:00 in China is 2026-02-28 23:00 UTC, as the database stores it.
    with app.app_context():
        db.session.execute(update_(Application).where(Application.id == application_id)
                           .values(first_submitted_at=datetime.datetime(2026, 2, 28, 23, 0)))
        db.session.commit()
    number = scalar(select(Application.number).where(Application.id == application_id))
    march_first = client.get("/user-center/history?from=2026-03-01&to=2026-03-01").get_data(as_text=True)
    assert number in march_first and "2026-03-01 07:00" in march_first
    assert f"/applications/{draft_id}" not in march_first, "a draft never submitted is not history"
    february = client.get("/user-center/history?from=2026-02-01&to=2026-02-28").get_data(as_text=True)
    assert "该时间段内没有申报记录" in february
    assert client.get("/user-center/history?from=0001-01-01&to=9999-12-31").status_code == 200


def test_withdrawn_batch_stays_in_history_as_not_submitted(app, client, scalar, hebei):
    application_id = submitted_batch(app, client, scalar, hebei["first"])
    submit(client, f"/apply/{application_id}/withdraw", {"version": version(scalar, application_id)},
           page="/user-center/")
    history = client.get("/user-center/history").get_data(as_text=True)
    row = history[history.index(scalar(select(Application.number))):]
    assert "未提交" in row[:400] and "编辑" in row[:600]


def test_hebei_has_no_pickup_step_so_cards_are_handed_out_at_the_city_office(app, client, scalar, hebei):
    """No 取卡方式 step: on submission the pickup is 自取 at the enterprise's own city office."""
    from apec.provinces.registry import get_province

    application_id = submitted_batch(app, client, scalar, hebei["first"])
    application = scalar(select(Application).where(Application.id == application_id))
    assert application.status == "submitted" and application.pickup_method == "self"
    with app.app_context():
        office = get_province("hebei").office("shijiazhuang")
    assert application.pickup_snapshot == {"name": office.name, "address": office.address, "phone": office.phone}
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "待自取" in detail


def test_the_submit_page_shows_the_declaration_back(client, scalar, hebei):
    application_id = start(client)
    fill_hebei(client, scalar, application_id, [hebei["first"]])
    page = client.get(f"/apply/{application_id}/confirm").get_data(as_text=True)
    assert "<h2>申报条件" in page and "65 人" in page and "B 级" in page and "加工制造或货物贸易进出口类企业" in page
    assert "向越南、泰国出口机械设备" in page
