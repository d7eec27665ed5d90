"""Browser, with and without JavaScript: Guangxi's 上报 page manages 地址簿 and 发票信息 without
losing what was typed (申请事由 among it), and the blank 新增成员 form left open after
保存并下一人 does not stop 保存并下一步."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from apec.applications.models import Application
from apec.extensions import db


PURPOSE = "赴日本、韩国洽谈机械设备出口业务"


@pytest.fixture
def guangxi_page(signed_in, make_enterprise):
    _, email = make_enterprise(province="guangxi", office="guangxi", ownership="private")
    page = signed_in(email)
    page.get_by_role("link", name="新卡申办", exact=True).click()
    page.get_by_role("button", name="新卡申办", exact=True).click()
    page.get_by_label("我已经阅读").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="成员信息")).to_be_visible()
    return page


def application_id_of(page) -> int:
    return int(re.search(r"/apply/(\d+)/", page.url).group(1))


def fill_member(page, id_number, name, passport):
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label(re.compile(r"^姓名")).fill(name)
    page.get_by_label("手机号码").fill("13977112233")
    page.get_by_label("职务").fill("总经理")
    page.get_by_label("护照号码").fill(passport)
    page.get_by_label("签发日期").fill("2023-05-01")
    page.get_by_label("有效期至").fill((datetime.date.today() + datetime.timedelta(days=1500)).isoformat())
    page.get_by_label("签发地点").fill("广西")


def go_to_report(page):
    from stdnum.cn import ric

    fill_member(page, "45010319851103001" + ric.calc_check_digit("45010319851103001" + "0"), "黄振宁", "E45010311")
    page.get_by_role("button", name="保存并下一人").click()
    expect(page.get_by_text("已保存 黄振宁，请填写下一人")).to_be_visible()
    # The 新增成员 form is blank now: 保存并下一步 skips it instead of asking for nine fields.
    page.get_by_role("button", name="保存并下一步").click()
    expect(page.get_by_role("heading", name="上报")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_blank_next_member_form_is_skipped(guangxi_page):
    go_to_report(guangxi_page)


def add_in_panel(page, button, fields, save):
    """With JavaScript: the book opens as a panel over the 上报 page."""
    page.get_by_role("button", name=button).click()
    panel = page.get_by_role("dialog")
    for label, value in fields.items():
        panel.get_by_label(re.compile(f"^{label}")).fill(value)
    panel.get_by_role("button", name=save).click()
    expect(panel.get_by_role("status")).to_contain_text("已在办理页面中选中")
    return panel


def add_on_book_page(page, button, new_link, fields):
    """Without JavaScript: the 上报 page is saved as a draft, the book's page opens and comes back."""
    page.get_by_role("button", name=button).click()
    page.get_by_role("link", name=new_link).click()
    for label, value in fields.items():
        page.get_by_label(re.compile(f"^{label}")).fill(value)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="上报")).to_be_visible()


ADDRESS = {"收件人": "黄振宁", "联系电话": "13977112233", "邮寄地址": "南宁市青秀区民族大道100号", "邮政编码": "530022"}
INVOICE = {"发票抬头": "广西测试企业有限公司", "纳税人识别号": "91450100MA5K8N2P3L"}


def test_addresses_and_invoices_are_managed_without_losing_what_was_typed(app, guangxi_page, javascript):
    page = guangxi_page
    go_to_report(page)
    page.get_by_label("申请事由").fill(PURPOSE)
    page.get_by_label("邮寄", exact=True).check()

    if javascript:
        panel = add_in_panel(page, "管理地址簿（新增、修改、删除）", ADDRESS, "保存邮寄地址")
        expect(page.get_by_label("选择已保存的地址")).to_have_value(re.compile(r"\d+"))
        # 修改 in place: the list on the page shows the change and keeps the choice.
        panel.get_by_role("button", name="修改").click()
        expect(panel.get_by_role("heading", name="修改邮寄地址")).to_be_visible()
        panel.get_by_label(re.compile("^邮寄地址")).fill("南宁市青秀区民族大道188号")
        panel.get_by_role("button", name="保存邮寄地址").click()
        expect(panel.get_by_role("status")).to_contain_text("选择列表已更新")
        panel.get_by_role("button", name="关闭").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        chosen = page.get_by_label("选择已保存的地址")
        expect(chosen.locator("option:checked")).to_have_text("黄振宁，南宁市青秀区民族大道188号")
        panel = add_in_panel(page, "管理发票信息（新增、修改、删除）", INVOICE, "保存发票信息")
        panel.get_by_role("button", name="关闭").click()
        expect(page.get_by_label("选择已添加的发票信息").locator("option:checked")).to_have_text(
            "广西测试企业有限公司（91450100MA5K8N2P3L）")
        # Typed text is all still there.
        expect(page.get_by_label("申请事由")).to_have_value(PURPOSE)
        expect(page.get_by_label("邮寄", exact=True)).to_be_checked()
        address_text = "南宁市青秀区民族大道188号"
    else:
        add_on_book_page(page, "管理地址簿（新增、修改、删除）", "新增邮寄地址", ADDRESS)
        expect(page.get_by_label("申请事由")).to_have_value(PURPOSE)
        expect(page.get_by_label("邮寄", exact=True)).to_be_checked()
        page.get_by_label("选择已保存的地址").select_option(label="黄振宁，南宁市青秀区民族大道100号")
        add_on_book_page(page, "管理发票信息（新增、修改、删除）", "新增发票信息", INVOICE)
        expect(page.get_by_label("申请事由")).to_have_value(PURPOSE)
        expect(page.get_by_label("选择已保存的地址").locator("option:checked")).to_have_text(
            "黄振宁，南宁市青秀区民族大道100号")
        page.get_by_label("选择已添加的发票信息").select_option(label="广西测试企业有限公司（91450100MA5K8N2P3L）")
        address_text = "南宁市青秀区民族大道100号"

    page.get_by_label("在线支付").check()
    page.get_by_label("联系人姓名").fill("黄振宁")
    page.get_by_label("联系人电话").fill("0771-5551234")
    page.get_by_role("button", name="暂存").click()
    expect(page.get_by_role("status").filter(has_text="已暂存")).to_be_visible()
    with app.app_context():
        application = db.session.get(Application, application_id_of(page))
        assert application.purpose == PURPOSE
        assert application.pickup_snapshot["address"] == address_text
        assert application.invoice_snapshot["title"] == "广西测试企业有限公司"


def test_enter_in_a_pickup_field_saves_the_draft(signed_in, make_enterprise):
    _, email = make_enterprise(province="hunan", office="hunan")
    page = signed_in(email)
    page.goto("/apply/")
    page.get_by_role("button", name=re.compile("新办")).first.click()
    page.get_by_role("link", name=re.compile("取卡方式")).click()
    page.get_by_label("邮寄", exact=True).check()
    page.get_by_label("收件人", exact=True).fill("袁媛")
    page.get_by_label("收件人", exact=True).press("Enter")
    expect(page.get_by_role("status").filter(has_text="已暂存")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_label("收件人", exact=True)).to_have_value("袁媛")


def test_a_refused_panel_request_is_said_in_the_page(app, chromium, live_server, make_enterprise, make_staff):
    """With JavaScript: the application was resubmitted in another tab; 管理地址簿 then says why it
    cannot open instead of doing nothing."""
    from apec.accounts.models import User
    from apec.applications.workflow import transition

    from .conftest import DEMO_PASSWORD
    from .factories import add_person, submitted_application

    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi", ownership="private")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)], pickup="mail")
    make_staff("gx.office@example.com", province="guangxi", office="guangxi")
    with app.app_context():
        staff = db.session.scalar(db.select(User).where(User.email == "gx.office@example.com"))
        transition(db.session.get(Application, application_id), "accept", staff)
        transition(db.session.get(Application, application_id), "return", staff, comment="请补充申请事由")
    context = chromium.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login?tab=enterprise")
    page.get_by_label("邮箱账号").fill(email)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="确认").click()
    page.goto(f"/apply/{application_id}/report")
    page.get_by_label("邮寄", exact=True).check()
    with app.app_context():
        owner = db.session.get(Application, application_id).created_by
        transition(db.session.get(Application, application_id), "submit", owner)  # 重新提交
    page.get_by_role("button", name="管理地址簿（新增、修改、删除）").click()
    expect(page.locator("#flash-area").get_by_role("alert")).to_contain_text("已被更新或已提交")
    expect(page.get_by_role("dialog")).to_have_count(0)
    context.close()
