"""Browser: the staff 审核工作台 with work in it — every filter of 待办 and 已办, with and
without JavaScript; a returned application stays in the returning office's 已办 (已退回) and
comes back to its 待办 marked 重新提交, with what the enterprise changed."""

import datetime

import pytest
from playwright.sync_api import expect

from apec.accounts.models import User
from apec.applications import drafts
from apec.applications.models import Application
from apec.applications.workflow import transition
from apec.extensions import db
from apec.models_base import utcnow
from apec.timefmt import to_local

from .factories import add_person, submitted_application
from .test_browser_review import open_action

REVIEWER = "shenhe.queue@example.com"


@pytest.fixture
def staff(signed_in, make_staff):
    make_staff(REVIEWER, province="hebei", office="shijiazhuang")
    return signed_in(REVIEWER, "staff")


@pytest.fixture
def work(app, make_enterprise):
    """Three applications waiting at 石家庄市外办, from two enterprises: {name: number}."""
    numbers = {}
    serial = 0
    for label, people in (("甲", 2), ("乙", 1)):
        enterprise_id, _ = make_enterprise(province="hebei", office="shijiazhuang", name=f"{label}贸易有限公司")
        for n in range(people):
            serial += 1
            person_id = add_person(app, enterprise_id, name=f"{label}员工{n}", id_number=f"13010219800101{serial:03d}X",
                                   passport=f"E2689550{serial}")
            application_id = submitted_application(app, enterprise_id, [person_id])
            with app.app_context():
                numbers[f"{label}{n}"] = db.session.get(Application, application_id).number
    return numbers


def rows(page):
    return page.locator("#results tbody tr")


def filter_queue(page, *, status=None, business_type=None, enterprise=None, since=None, until=None):
    form = page.locator("form.search-bar")
    if status is not None:
        form.get_by_label("申请单状态").select_option(label=status)
    if business_type is not None:
        form.get_by_label("业务类型").select_option(label=business_type)
    if enterprise is not None:
        form.get_by_label("企业").fill(enterprise)
    if since is not None:
        form.get_by_label("提交日期起").fill(since)
    if until is not None:
        form.get_by_label("至").fill(until)
    form.get_by_role("button", name="筛选").click()


def shows(page, *numbers):
    if numbers:
        expect(rows(page)).to_have_count(len(numbers))
        for number in numbers:
            expect(rows(page).filter(has_text=number)).to_have_count(1)
    else:
        expect(page.locator("#results")).to_contain_text("暂无")


def test_every_filter_of_the_todo_list_with_applications_present(staff, work):
    page = staff
    page.goto("/staff/")
    everything = list(work.values())
    shows(page, *everything)

    filter_queue(page, status="已提交，待受理")
    shows(page, *everything)
    filter_queue(page, enterprise="没有这家企业")
    expect(page.locator("#results")).to_contain_text("暂无待处理的申请单")
    # The fault staff met: after a filter without match, a matching one still said 暂无.
    filter_queue(page, enterprise="甲贸易")
    shows(page, work["甲0"], work["甲1"])
    filter_queue(page, enterprise="", business_type="续办")
    shows(page)
    filter_queue(page, business_type="新办")
    shows(page, *everything)
    today = to_local(utcnow()).date()  # the office's day (Beijing time), as its staff type it
    filter_queue(page, since=today.isoformat(), until=today.isoformat())
    shows(page, *everything)
    filter_queue(page, since=(today + datetime.timedelta(days=1)).isoformat(), until="")
    shows(page)
    filter_queue(page, since="", status="市外办审核中")
    shows(page)
    # Every filter kept its value on the page the list came back in.
    expect(page.get_by_label("申请单状态")).to_have_value("city_review")
    expect(page.get_by_label("业务类型")).to_have_value("new")

    # 受理 one from the list (批量受理所选), then find it by its new status.
    filter_queue(page, status="全部状态", business_type="全部业务")
    page.get_by_label(f"选择 {work['乙0']}").check()
    page.get_by_role("button", name="批量受理所选").click()
    expect(page.get_by_role("status")).to_contain_text(work["乙0"])
    filter_queue(page, status="市外办审核中")
    shows(page, work["乙0"])
    filter_queue(page, status="已提交，待受理")
    shows(page, work["甲0"], work["甲1"])


def test_returned_applications_stay_in_done_and_come_back_marked_resubmitted(app, staff, work):
    page = staff
    number = work["甲1"]
    page.goto("/staff/")
    page.get_by_role("row").filter(has_text=number).get_by_role("link", name="办理").click()
    open_action(page, "受理").get_by_role("button", name="确定受理").click()
    back = open_action(page, "退回")
    back.get_by_label("审核意见").fill("联系人电话请改为手机号码")
    back.get_by_label("联系人信息").check()
    back.get_by_role("button", name="确定退回").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已反馈审核意见")

    page.goto("/staff/")
    expect(rows(page).filter(has_text=number)).to_have_count(0)
    page.get_by_role("link", name="已办").click()
    returned = rows(page).filter(has_text=number)
    expect(returned).to_contain_text("已退回，待企业修改")
    filter_queue(page, status="已退回")
    shows(page, number)
    filter_queue(page, status="不予受理/审核不通过")
    shows(page)
    filter_queue(page, status="已退回", enterprise="乙贸易")
    shows(page)
    filter_queue(page, enterprise="甲贸易")
    shows(page, number)
    filter_queue(page, business_type="续办")
    shows(page)
    filter_queue(page, business_type="新办")
    shows(page, number)
    today = to_local(utcnow()).date()
    filter_queue(page, since=(today + datetime.timedelta(days=1)).isoformat())
    shows(page)
    filter_queue(page, since=today.isoformat(), until=today.isoformat())
    shows(page, number)

    with app.app_context():
        application = db.session.scalar(db.select(Application).where(Application.number == number))
        user = db.session.get(User, application.created_by_id)
        drafts.save_form(application, user, contact_name=application.contact_name, contact_phone="13912345678")
        transition(application, "submit", user)  # 重新提交

    page.goto("/staff/?view=done")
    expect(rows(page).filter(has_text=number)).to_have_count(0)
    page.get_by_role("link", name="待办").click()
    back_again = rows(page).filter(has_text=number)
    expect(back_again).to_contain_text("重新提交")
    expect(back_again).to_contain_text("已修改 联系人信息")
    back_again.get_by_role("link", name="办理").click()
    expect(page.get_by_role("note")).to_contain_text("修改的内容：联系人信息")
