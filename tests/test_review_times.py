"""The office's clock: the first submission kept, each stage's entry kept, and overdue counted
from the stage's entry in working days (China's calendar), as the province sets it."""

import re

from sqlalchemy import select

from apec.applications.models import Application

from .conftest import submit
from .factories import act, add_person, staff, submitted_application, version_of


def _queue_row(reviewer, number):
    page = reviewer.get("/staff/").get_data(as_text=True)
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{number}(?:(?!</tr>).)*</tr>", page, re.S)
    assert row, f"{number} is in the 待办"
    return row.group(0)


def test_overdue_counts_working_days_from_the_stage_entry_not_from_the_last_event(
        app, scalar, make_enterprise, make_staff, clock):
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
    clock.set(2026, 9, 29, 10)  # a Tuesday; 1–7 October are 国庆 holidays, Saturday 10 October is worked
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    number = scalar(select(Application.number))

    # Days pass between the steps: the reviewers sign in again each time (sessions end overnight).
    clock.set(2026, 10, 9, 16)  # ten calendar days, three working days (30 Sep, 8 and 9 Oct)
    office = staff(app, "hunan.office@example.com")
    assert "已超期" not in _queue_row(office, number), "Hunan's province stage allows 5 working days"
    clock.set(2026, 10, 12, 9)
    office = staff(app, "hunan.office@example.com")
    assert act(office, scalar, application_id, "accept").status_code == 303
    clock.set(2026, 10, 14, 9)  # 30 Sep, 8, 9, 10 (调休), 12, 13, 14 Oct: seven working days
    office = staff(app, "hunan.office@example.com")
    assert "已超期 2 个工作日" in _queue_row(office, number), "受理 does not restart the clock"

    assert act(office, scalar, application_id, "forward").status_code == 303
    mfa = staff(app, "hunan.mfa@example.com")
    assert "已超期" not in _queue_row(mfa, number), "the MFA's own clock starts when it arrives there"
    detail = mfa.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert "首次提交" in detail and "2026-09-29 10:00" in detail
    assert re.search(r"领事司.{0,80}2026-10-14 09:00", detail, re.S), "each stage's entry time is shown"


def test_calendar_days_where_the_province_counts_them(app, scalar, make_enterprise, make_staff, clock,
                                                      switch_rules):
    switch_rules("hunan", "[workflow]\noverdue_in_working_days = false\n")
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
    clock.set(2026, 9, 29, 10)
    submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    clock.set(2026, 10, 9, 16)
    row = _queue_row(staff(app, "hunan.office@example.com"), scalar(select(Application.number)))
    assert "已超期 5 天" in row, "ten calendar days against a limit of five"


def test_resubmission_keeps_the_first_submission_time_and_restarts_the_clock(
        app, scalar, make_enterprise, make_staff, clock, client):
    from .conftest import login

    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    clock.set(2026, 9, 1, 9)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    number = scalar(select(Application.number))
    clock.set(2026, 9, 15, 9)
    office = staff(app, "hunan.office@example.com")
    assert act(office, scalar, application_id, "return", comment="请补充材料", field=["contact"]).status_code == 303
    clock.set(2026, 9, 16, 11)
    login(client, email)
    office = staff(app, "hunan.office@example.com")
    response = submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
                      page="/user-center/")
    assert response.status_code == 303
    row = _queue_row(office, number)
    assert "2026-09-01 09:00" in row and "已超期" not in row, "提交时间 is the first; the clock starts again"
    assert number in office.get("/staff/?from=2026-09-01&to=2026-09-01").get_data(as_text=True)
    assert f"<td>{number}</td>" not in office.get("/staff/?from=2026-09-16&to=2026-09-16").get_data(as_text=True)
    mine = client.get("/user-center/").get_data(as_text=True)
    assert "2026-09-01 09:00" in mine, "the enterprise's 申请时间 is the first submission too"
