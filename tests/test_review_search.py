"""查询 for staff: each key finds the office's application, never another office's; identity
numbers through the blind index; each search in the audit log, identity numbers masked there."""

import pytest
from sqlalchemy import select

from apec.applications.models import Application
from apec.audit import AuditLog

from .conftest import submit
from .factories import add_person, staff, submitted_application


def search(reviewer, key, text):
    return submit(reviewer, "/staff/search", {"key": key, "q": text}, page="/staff/search").get_data(as_text=True)


@pytest.fixture
def two_offices(app, scalar, make_enterprise, make_staff):
    """Hebei: one application at 沧州 (宋文泰) and one at 邯郸 (单丽娜, same passport kind)."""
    ours, _ = make_enterprise(province="hebei", office="cangzhou")
    theirs, _ = make_enterprise(province="hebei", office="handan", name="邯郸某贸易有限公司")
    mine = submitted_application(app, ours, [add_person(app, ours)])
    other = submitted_application(app, theirs, [add_person(app, theirs, name="单丽娜", id_number="110105198501010020",
                                                           passport="E12345678")])
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    number = lambda application_id: scalar(select(Application.number).where(Application.id == application_id))
    return {"reviewer": staff(app, "hebei.cangzhou@example.com"), "mine": number(mine), "other": number(other)}


@pytest.mark.parametrize("key, text", [
    ("number", None), ("name", "宋文泰"), ("name", "文泰"), ("passport", "e26895502"),
    ("id_number", "110105199805152516"),
])
def test_each_key_finds_the_offices_application(two_offices, key, text):
    text = text or two_offices["mine"][-8:]
    page = search(two_offices["reviewer"], key, text)
    assert two_offices["mine"] in page and "共找到 1 件" in page
    results = page[page.index('<div id="results">'):]
    assert "110105199805152516" not in results and "E26895502" not in results, "results show numbers masked"


@pytest.mark.parametrize("key, text", [("name", "单丽娜"), ("passport", "E12345678"),
                                       ("id_number", "110105198501010020")])
def test_another_offices_application_is_not_found(two_offices, key, text):
    page = search(two_offices["reviewer"], key, text)
    assert two_offices["other"] not in page and "没有找到符合条件的申请单" in page


def test_each_search_is_logged_with_identity_numbers_masked(two_offices, scalar):
    search(two_offices["reviewer"], "id_number", "110105199805152516")
    entry = scalar(select(AuditLog).where(AuditLog.event == "staff_search"))
    assert entry.detail["key"] == "id_number" and "110105199805152516" not in str(entry.detail)
    assert entry.detail["text"].startswith("1101") and entry.user_id is not None


@pytest.mark.parametrize("key, text, message", [
    ("name", "宋", "至少 2 个字"), ("number", "APEC", "至少 6 位"), ("nonsense", "宋文泰", "请选择查询方式"),
])
def test_unusable_input_is_refused_with_a_message_and_not_logged(two_offices, scalar, key, text, message):
    page = search(two_offices["reviewer"], key, text)
    assert message in page
    assert scalar(select(AuditLog.id).where(AuditLog.event == "staff_search")) is None
