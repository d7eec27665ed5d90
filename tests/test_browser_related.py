"""Browser: each related business in each province, from the eligible 新办 in 我的申请单 through
its own steps to submission, through the province's review chain, to its effect on the card
(seed 000 §2, DESIGN.md section 3) — by visible labels, as the enterprise and as office staff."""

import re

import pytest
from playwright.sync_api import expect

from .factories import PDF, add_person, put_at_status, submitted_application
from .test_browser_review import enterprise_sees, open_application, staff_does
from .test_related import card_on, decide

# The enterprise's office, the offices before the MFA, and how the fee is paid.
PROVINCES = {
    "hunan": {"office": "hunan", "chain": ["hunan"], "pays": "voucher"},
    "guangxi": {"office": "guangxi", "chain": ["guangxi"], "pays": "voucher", "payment_method": "在线支付",
                "labels": {"passport": "制卡前更换护照", "cancel": "注销"}},
    "hebei": {"office": "handan", "chain": ["handan", "hebei"], "pays": "voucher"},
    "liaoning": {"office": "jinzhou", "chain": ["jinzhou", "liaoning"], "pays": "remittance"},
}
LABELS = {"early": "提前制卡", "replace": "换补卡", "passport": "未制卡仅更换护照", "cancel": "注销卡"}


def parent_for(app, make_enterprise, make_staff, province, business):
    """A 新办 this business may start on: in APEC经济体审核中 with 3 economies approved (提前制卡,
    更换护照), or 已自取 with a valid card (换补卡, 注销卡)."""
    rules = PROVINCES[province]
    enterprise_id, email = make_enterprise(province=province, office=rules["office"])
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    if business in ("early", "passport"):
        decide(app, parent_id, approved=3)
        put_at_status(app, parent_id, "economies_review", "mfa")
    else:
        decide(app, parent_id, approved=16)
        card_on(app, parent_id)
        put_at_status(app, parent_id, "picked_up", rules["office"])
    for code in set(rules["chain"]) | {"mfa", rules["office"]}:
        make_staff(f"{province}.{code}@example.com", province=province, office=code)
    return parent_id, email


def start_from_the_list(page, parent_number, business, label):
    page.goto("/user-center/")
    row = page.locator(".application-card").filter(has_text=parent_number)
    if business == "early":
        row.get_by_role("link", name=label).click()
        expect(page.get_by_role("dialog")).to_contain_text(
            "当前获批经济体为 澳大利亚、文莱、智利，未包含全部 APEC 经济体，提前制卡后如获更多经济体批准，可以申请换卡或补卡")
        page.get_by_role("button", name="确定").click()
    else:
        row.get_by_role("button", name=label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(在线填表|信息填写)$"))  # Hebei's words


def fill_in_the_form(page, business, rules):
    if business == "replace":
        page.get_by_label("卡破损").check()
    if business == "passport":
        page.get_by_label("原护照满页").check()
        page.get_by_label("护照号码").fill("E58172023")
        page.get_by_label("签发日期").fill("2024-08-18")
        page.get_by_label("有效期至").fill("2034-08-17")
        page.get_by_label("签发地点").fill("HUNAN")
    if business == "cancel":
        page.get_by_label("离职").check()
    if business in ("replace", "cancel"):
        page.get_by_label("现场").check()
        page.get_by_label(re.compile("需交还原 APEC 卡，我已知晓")).check()
    if business == "replace":
        page.get_by_label("发票抬头").fill("测试企业有限公司")
        page.get_by_label("纳税人识别号").fill("91430100MA4L2X3K8X")
    if business in ("early", "replace") and "payment_method" in rules:
        page.get_by_label(rules["payment_method"]).check()
    page.get_by_role("button", name="下一步").click()


def upload_every_slot(page, tmp_path):
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(上传材料|上传附件)$"))
    document = tmp_path / "盖章扫描件.pdf"
    document.write_bytes(PDF)
    slots = page.locator(".material-slot").filter(has=page.locator("input[name=kind]"))
    for index in range(slots.count()):
        slot = slots.nth(index)
        slot.locator("input[type=file]").set_input_files(str(document))
        slot.get_by_role("button", name="点击上传").click()
        expect(slots.nth(index)).to_contain_text("盖章扫描件.pdf")
    page.get_by_role("button", name="下一步").click()


def submit_it(page):
    if page.get_by_role("heading", level=1).inner_text() == "取卡方式":
        page.get_by_label("自取").check()
        page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^(信息确认|提交)$"))
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("已提交，待受理")
    return re.search(r"APEC\d{14}-\d\d-[a-z]{2}", page.locator(".application-number").inner_text()).group(0)


def review_and_approve(open_page, province, number):
    rules = PROVINCES[province]
    first = open_page(f"{province}.{rules['chain'][0]}@example.com", "staff")
    staff_does(first, number, "受理")
    for position, code in enumerate(rules["chain"]):
        reviewer = first if position == 0 else open_page(f"{province}.{code}@example.com", "staff")
        staff_does(reviewer, number, "上报")
    mfa = open_page(f"{province}.mfa@example.com", "staff")
    staff_does(mfa, number, "审核通过")
    return mfa


def pay(page, related_id, rules, tmp_path):
    if rules["pays"] == "remittance":  # Liaoning: the 汇款单 went with the application
        return
    enterprise_sees(page, related_id, "待缴费")
    page.get_by_role("link", name=re.compile("^上传(缴费|支付)凭证$")).click()
    voucher = tmp_path / "回单.pdf"
    voucher.write_bytes(PDF)
    page.get_by_label(re.compile("^(缴费|支付)凭证")).set_input_files(str(voucher))
    page.get_by_label("发票抬头").fill("测试企业有限公司")
    page.get_by_label("纳税人识别号").fill("91430100MA4L2X3K8X")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("支付凭证确认")


def walk(app, open_page, tmp_path, make_enterprise, make_staff, province, business):
    rules = PROVINCES[province]
    parent_id, email = parent_for(app, make_enterprise, make_staff, province, business)
    enterprise = open_page(email)
    enterprise.goto(f"/user-center/applications/{parent_id}")
    parent_number = re.search(r"APEC\d{14}", enterprise.locator(".application-number").inner_text()).group(0)

    label = rules.get("labels", {}).get(business, LABELS[business])
    start_from_the_list(enterprise, parent_number, business, label)
    fill_in_the_form(enterprise, business, rules)
    upload_every_slot(enterprise, tmp_path)
    number = submit_it(enterprise)
    assert number.startswith(f"{parent_number}-01-")
    related_id = int(re.search(r"/applications/(\d+)", enterprise.url).group(1))
    enterprise.goto("/user-center/?tab=" + business)
    expect(enterprise.locator(".application-card").filter(has_text=number)).to_contain_text("已提交，待受理")

    mfa = review_and_approve(open_page, province, number)
    if business == "cancel":
        enterprise_sees(enterprise, related_id, "卡已注销")
        enterprise_sees(enterprise, parent_id, "已自取")
        expect(enterprise.get_by_role("row").filter(has_text="APEC12345678")).to_contain_text("已注销")
        return
    if business == "passport":
        enterprise_sees(enterprise, related_id, "已办结")
        enterprise.goto(f"/user-center/applications/{parent_id}")
        expect(enterprise.get_by_text(re.compile("护照已更换为新护照"))).to_be_visible()
        expect(enterprise.get_by_role("cell", name="E5*****23")).to_be_visible()
        return

    pay(enterprise, related_id, rules, tmp_path)
    staff_does(mfa, number, "确认缴费")
    enterprise_sees(enterprise, related_id, "待制卡")
    staff_does(mfa, number, "制卡", **{"宋文泰 的卡号": "APEC20000001"})
    enterprise_sees(enterprise, related_id, "待自取")
    office = open_page(f"{province}.{rules['office']}@example.com", "staff")
    staff_does(office, number, "已自取")
    enterprise_sees(enterprise, related_id, "已自取")
    expect(enterprise.get_by_role("row").filter(has_text="APEC20000001")).to_contain_text("有效")
    if business == "early":
        enterprise_sees(enterprise, parent_id, "APEC经济体审核中，已提前制卡")
    else:
        enterprise_sees(enterprise, parent_id, "已自取")
        expect(enterprise.get_by_role("row").filter(has_text="APEC12345678")).to_contain_text("已换卡")


@pytest.mark.parametrize("business", list(LABELS))
@pytest.mark.parametrize("province", list(PROVINCES))
def test_each_business_from_the_parent_to_its_effect(app, open_page, tmp_path, make_enterprise, make_staff,
                                                      province, business):
    walk(app, open_page, tmp_path, make_enterprise, make_staff, province, business)
