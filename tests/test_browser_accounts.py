"""Browser: register, sign in on each tab, add a handler — by the labels a user sees."""

import re

from playwright.sync_api import expect
from stdnum.cn import uscc

from .conftest import DEMO_PASSWORD

USCC = "91210100MA0XK7L2P" + uscc.calc_check_digit("91210100MA0XK7L2P")


def fill_registration(page, email="shenyang.trade@example.com"):
    page.get_by_label("企业名称").fill("沈阳盛京国际贸易有限公司")
    page.get_by_label("统一社会信用代码").fill(USCC)
    page.get_by_label("法人名称").fill("孙志强")
    page.get_by_label("企业性质").select_option(label="民营企业")
    page.get_by_label("所在省份").select_option(label="辽宁省")
    page.get_by_label("所属外办").select_option(label="沈阳市人民政府外事办公室")
    page.get_by_label("企业邮箱").fill(email)
    page.get_by_label(re.compile(r"^密码")).fill(DEMO_PASSWORD)
    page.get_by_label("确认密码").fill(DEMO_PASSWORD)


def test_enterprise_registers_adds_a_handler_and_the_handler_signs_in(page):
    page.goto("/")
    page.get_by_role("link", name="辽宁省").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("辽宁省APEC商务旅行卡网上办理")
    page.get_by_role("link", name="企业注册").first.click()

    # A wrong code is flagged next to the field as soon as the user leaves it.
    page.get_by_label("统一社会信用代码").fill("91210100MA0XK7L2PZ")
    page.get_by_label("法人名称").focus()
    expect(page.locator("#field-uscc")).to_contain_text("统一社会信用代码不正确")

    # Choosing the province narrows 所属外办 to its offices.
    page.get_by_label("所在省份").select_option(label="辽宁省")
    expect(page.get_by_label("所属外办").locator("option")).to_have_count(16)  # 请选择 + 15 offices
    expect(page.get_by_label("所属外办")).not_to_contain_text("石家庄")

    fill_registration(page)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()
    expect(page.get_by_role("link", name="新办/续办")).to_be_visible()
    for tab in ("提前制卡", "换补卡", "未制卡仅更换护照", "注销卡"):
        expect(page.get_by_role("navigation", name="业务类型").get_by_role("link", name=tab)).to_be_visible()

    page.get_by_role("link", name="经办人管理").click()
    page.get_by_role("link", name="添加经办人").click()
    page.get_by_label("经办人姓名").fill("周经办")
    page.get_by_label("登录邮箱").fill("zhou@example.com")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("登录密码").fill(DEMO_PASSWORD)
    page.get_by_label("确认密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("cell", name="zhou@example.com")).to_be_visible()
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()

    page.get_by_role("link", name="登录", exact=True).click()
    page.get_by_role("link", name="经办人账号登录").click()
    page.get_by_label("邮箱账号").fill("zhou@example.com")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_role("heading", name="我的申请单")).to_be_visible()
    expect(page.get_by_text("周经办（经办人）")).to_be_visible()
    expect(page.get_by_role("link", name="经办人管理")).to_have_count(0)


def test_registration_works_without_javascript(page_without_javascript):
    page = page_without_javascript
    page.goto("/register")
    fill_registration(page, email="nojs@example.com")
    page.get_by_label("确认密码").fill("Mismatch2026")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("两次输入的密码不一致")).to_be_visible()
    expect(page.get_by_label("企业名称")).to_have_value("沈阳盛京国际贸易有限公司")

    page.get_by_label(re.compile(r"^密码")).fill(DEMO_PASSWORD)
    page.get_by_label("确认密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="我的申请单")).to_be_visible()
