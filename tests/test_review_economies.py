"""The economies' decisions as an MFA office enters them: 全部获批 with exceptions, the MFA's CSV
imported after a preview (a bad row refuses the whole file), and a correction after
全部经济体审核完成 with its reason kept in the timeline and the audit log."""

import datetime
import html
import io
import re

import pytest
from sqlalchemy import func, select

from apec.applications.models import ApplicationMember, EconomyDecision, TimelineEvent
from apec.audit import AuditLog
from apec.economies import preclearing_economies

from .conftest import submit
from .factories import add_person, put_at_status, staff, status, submitted_application, version_of

TODAY = datetime.date.today().isoformat()


@pytest.fixture
def group(app, scalar, make_enterprise, make_staff):
    """A Hunan application of 宋文泰 and 单丽娜 at 经济体审核中, and the MFA reviewer."""
    enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
    people = [add_person(app, enterprise_id),
              add_person(app, enterprise_id, name="单丽娜", id_number="110105198501010020", passport="E12345678")]
    application_id = submitted_application(app, enterprise_id, people)
    put_at_status(app, application_id, "economies_review", "mfa")
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    return {"id": application_id, "mfa": staff(app, "hunan.mfa@example.com")}


def decisions(scalar, **where):
    return scalar(select(func.count()).select_from(EconomyDecision).filter_by(**where))


def member_ids(app):
    from apec.extensions import db

    with app.app_context():
        return [member_id for member_id in db.session.scalars(select(ApplicationMember.id).order_by(ApplicationMember.id))]


def bulk(group, scalar, members, **exceptions):
    page = f"/staff/applications/{group['id']}"
    data = {"member": [str(m) for m in members], "decided_on": TODAY}
    data.update({f"exception-{code}": value for code, value in exceptions.items()})
    return submit(group["mfa"], f"{page}/economies/bulk", data, page=page)


def test_all_approved_for_the_group_with_exceptions_then_the_rest(app, scalar, group):
    first, second = member_ids(app)
    response = bulk(group, scalar, [first, second], JP="refused", KR="skip")
    assert response.status_code == 303
    assert decisions(scalar, decision="approved") == 2 * (len(preclearing_economies()) - 2)
    assert decisions(scalar, economy="JP", decision="refused") == 2 and decisions(scalar, economy="KR") == 0
    assert status(scalar, group["id"]) == "economies_review", "韩国 is still to come"

    response = bulk(group, scalar, [second])
    assert response.status_code == 303 and status(scalar, group["id"]) == "economies_review"
    page = group["mfa"].get(response.headers["Location"]).get_data(as_text=True)
    assert f"已记录 1 项经济体审核结果；{len(preclearing_economies()) - 1} 项此前已记录，未改动" in page
    assert decisions(scalar, economy="JP", decision="refused") == 2, "recorded decisions stay as they were"
    bulk(group, scalar, [first])
    assert status(scalar, group["id"]) == "economies_done"


def test_all_approved_needs_a_member(app, scalar, count, group):
    response = bulk(group, scalar, [])
    assert response.status_code == 422 and "请选择人员" in response.get_data(as_text=True)
    assert count(EconomyDecision) == 0


def _import(group, rows, encoding="utf-8"):
    page = f"/staff/applications/{group['id']}"
    text = "\n".join(",".join(row) for row in rows) + "\n"
    return submit(group["mfa"], f"{page}/economies/import", {"file": (io.BytesIO(text.encode(encoding)), "结果.csv")},
                  page=page, content_type="multipart/form-data")


def _all_rows(names=("宋文泰", "E12345678")):
    rows = [("人员", "经济体", "审核结果", "审核日期")]
    for name in names:
        rows += [(name, economy.name, "获批", TODAY) for economy in preclearing_economies()]
    return rows


def test_a_csv_is_previewed_then_imported_whole(app, scalar, count, group):
    rows = _all_rows()
    japan = rows.index(("宋文泰", "日本", "获批", TODAY))
    rows[japan] = ("宋文泰", "JP", "未获批", TODAY)  # a code instead of a name, and a refusal
    preview = _import(group, rows, encoding="gb18030")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and f"共 {len(rows) - 1} 行，全部可导入" in page, re.findall(r"<td>([^<]*(?:不是|应为|晚于|重复)[^<]*)</td>", page)[:3]
    assert count(EconomyDecision) == 0, "a preview records nothing"
    text = page.split('<textarea name="csv_text" hidden>')[1].split("</textarea>")[0]
    confirmed = submit(group["mfa"], f"/staff/applications/{group['id']}/economies/import",
                       {"csv_text": html.unescape(text), "version": version_of(scalar, group["id"])},
                       page=f"/staff/applications/{group['id']}")
    assert confirmed.status_code == 303
    assert count(EconomyDecision) == len(rows) - 1
    assert status(scalar, group["id"]) == "economies_done"


@pytest.mark.parametrize("row, message", [
    (("宋文", "澳大利亚", "获批", TODAY), "“宋文”不是本申请单的申请人员"),
    (("宋文泰", "美国", "获批", TODAY), "“美国”不是需要预审的 APEC 经济体"),
    (("宋文泰", "澳大利亚", "通过了", TODAY), "审核结果“通过了”应为“获批”或“未获批”"),
    (("宋文泰", "澳大利亚", "获批", "2099-01-01"), "审核日期 2099-01-01 晚于今天"),
    (("宋文泰", "澳大利亚", "获批", "昨天"), "审核日期“昨天”应为 年-月-日"),
    (("宋文泰", "文莱", "获批", TODAY), "宋文泰 的 文莱 在文件中重复"),
])
def test_a_bad_row_is_named_and_nothing_is_imported(app, scalar, count, group, row, message):
    rows = _all_rows()
    rows.insert(3, row)
    response = _import(group, rows)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and "本次不会导入任何结果" in page
    assert "确认导入" not in page
    assert count(EconomyDecision) == 0


def test_wrong_columns_are_refused(app, scalar, count, group):
    response = _import(group, [("姓名", "国家", "结论"), ("宋文泰", "澳大利亚", "获批")])
    assert response.status_code == 422 and "第 1 行（表头）应为：人员，经济体，审核结果，审核日期" in response.get_data(as_text=True)
    assert count(EconomyDecision) == 0


def test_a_decision_is_corrected_with_a_reason_after_all_are_decided(app, scalar, count, group):
    first, second = member_ids(app)
    bulk(group, scalar, [first, second])
    assert status(scalar, group["id"]) == "economies_done"
    page = f"/staff/applications/{group['id']}"
    data = {"member": str(second), "economy": "JP", "decision": "refused", "decided_on": TODAY}
    missing = submit(group["mfa"], f"{page}/economies/correct", dict(data, reason=""), page=page)
    assert missing.status_code == 422 and "请填写更正经济体审核结果的意见或原因" in missing.get_data(as_text=True)
    response = submit(group["mfa"], f"{page}/economies/correct", dict(data, reason="领事司来函更正"), page=page)
    assert response.status_code == 303
    assert scalar(select(EconomyDecision.decision).where(EconomyDecision.member_id == second,
                                                         EconomyDecision.economy == "JP")) == "refused"
    event = scalar(select(TimelineEvent).where(TimelineEvent.action == "economy_correction"))
    assert "单丽娜：日本由获批" in event.comment and "更正为未获批" in event.comment and "领事司来函更正" in event.comment
    audit = scalar(select(AuditLog).where(AuditLog.event == "economy_corrected"))
    assert audit.detail["before"]["decision"] == "approved" and audit.detail["reason"] == "领事司来函更正"
    assert "单丽娜：日本由获批" in group["mfa"].get(page).get_data(as_text=True)


def test_no_correction_while_the_economies_are_still_being_decided(app, scalar, group):
    first, _ = member_ids(app)
    bulk(group, scalar, [first])
    page = f"/staff/applications/{group['id']}"
    assert "更正审核结果" not in group["mfa"].get(page).get_data(as_text=True)
    response = submit(group["mfa"], f"{page}/economies/correct", {
        "member": str(first), "economy": "JP", "decision": "refused", "decided_on": TODAY, "reason": "x"}, page=page)
    assert response.status_code == 409
    assert scalar(select(TimelineEvent.id).where(TimelineEvent.action == "economy_correction")) is None
