"""暂存 drafts: clicking 申请新办 again reuses the draft left empty; a draft never submitted can be
deleted by its enterprise (confirm, then gone with its uploads); 申报历史查询 pages on."""

import datetime
import re

import pytest

from sqlalchemy import func, select

from apec.accounts.models import User
from apec.applications.models import Application
from apec.extensions import db
from apec.materials.models import Material
from apec.materials.storage import get_storage
from apec.models_base import utcnow

from .conftest import login, submit
from .factories import add_person, start, submitted_application, upload


def test_starting_the_same_business_again_reuses_the_draft_left_empty(client, count, make_enterprise):
    _, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    first = start(client)
    assert start(client) == first and count(Application) == 1
    assert start(client, "renew") != first, "another business is another draft"
    assert upload(client, first, "business_license").status_code == 303
    assert start(client) not in (first,), "a draft with something in it is kept, and a new one starts"


def test_a_draft_is_deleted_after_confirming_with_its_uploads(app, client, scalar, count, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    add_person(app, enterprise_id)
    login(client, email)
    application_id = start(client)
    assert upload(client, application_id, "business_license").status_code == 303
    stored = scalar(select(Material.stored_name))
    detail = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert f"/apply/{application_id}/delete" in detail
    confirm = client.get(f"/apply/{application_id}/delete").get_data(as_text=True)
    assert "确定删除这份新办申请单吗" in confirm and "1 个材料将一并删除" in confirm
    response = submit(client, f"/apply/{application_id}/delete", {})
    assert response.status_code == 303
    assert count(Application) == 0 and count(Material) == 0
    with app.app_context(), pytest.raises(FileNotFoundError):
        get_storage().read(stored)  # the file's bytes are gone too
    assert "已删除该申请单及其上传的材料" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_only_a_draft_never_submitted_can_be_deleted_and_only_by_its_enterprise(app, client, count,
                                                                                make_enterprise):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    submitted = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    login(client, email)
    refused = submit(client, f"/apply/{submitted}/delete", {}, page="/user-center/")
    assert refused.status_code == 409 and count(Application) == 1
    assert f"/apply/{submitted}/delete" not in client.get(f"/user-center/applications/{submitted}").get_data(
        as_text=True)
    _, other_email = make_enterprise(province="hebei", office="shijiazhuang")
    other = app.test_client()
    login(other, other_email)
    draft = start(client)
    empty = client.get(f"/apply/{draft}/delete").get_data(as_text=True)
    assert "删除后无法恢复" in empty and "个材料将一并删除" not in empty, "no files: none mentioned"
    assert other.get(f"/apply/{draft}/delete").status_code == 404
    assert submit(other, f"/apply/{draft}/delete", {}, page="/user-center/").status_code == 404
    assert count(Application) == 2


def test_history_pages_on_past_the_twentieth(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == email))
        for n in range(23):
            db.session.add(Application(
                province="hebei", office_code="shijiazhuang", enterprise_id=enterprise_id, created_by_id=admin.id,
                business_type="new", status="submitted", number=f"APEC20260101{n:06d}", extra={},
                submitted_at=utcnow() - datetime.timedelta(minutes=n),
                first_submitted_at=utcnow() - datetime.timedelta(minutes=n),
            ))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Application)) == 23
    login(client, email)
    first = client.get("/user-center/history").get_data(as_text=True)
    assert "第 1 / 2 页，共 23 条" in first and "APEC20260101000000" in first
    assert "APEC20260101000022" not in first
    following = re.search(r'href="([^"]+)">下一页', first).group(1).replace("&amp;", "&")
    second = client.get(following).get_data(as_text=True)
    assert "第 2 / 2 页" in second and "APEC20260101000022" in second
