"""Browser: each related business in each province, from the eligible 新办 in 我的申请单 through
its own steps to submission, through the province's review chain, to its effect on the card
(seed 000 §2, DESIGN.md section 3) — by visible labels, as the enterprise and as office staff."""

import re

import pytest
from playwright.sync_api import expect

from apec.applications.models import Application

from .conftest import _signed_in_tabs
from .factories import PDF, add_person, put_at_status, submitted_application
from .test_browser_review import enterprise_sees, pay_by_voucher, staff_does
from .test_related import card_on, decide

# The enterprise's office, the offices before the MFA, how the fee is paid, where the business is
# started: from the 新办 row (seed 000), from 业务申报 choosing the 团组 or APEC卡 (seed 002), or
# Hebei's one business 制卡、换卡 (seed 003); Guangxi's 团组 has two members.
PROVINCES = {
    "hunan": {"office": "hunan", "chain": ["hunan"], "pays": "voucher", "start": "row"},
    "guangxi": {"office": "guangxi", "chain": ["guangxi"], "pays": "voucher", "payment_method": "在线支付",
                "payment_office": "guangxi",
                "labels": {"passport": "制卡前更换护照", "cancel": "注销"}, "start": "chooser", "members": 2},
    "hebei": {"office": "handan", "chain": ["handan", "hebei"], "pays": "voucher", "start": "combined",
              "labels": {"passport": "更换护照信息"}},
    "liaoning": {"office": "jinzhou", "chain": ["jinzhou", "liaoning"], "pays": "remittance", "start": "row"},
}
LABELS = {"early": "提前制卡", "replace": "换补卡", "passport": "未制卡仅更换护照", "cancel": "注销卡"}
HEBEI_KINDS = {"early": "提前制卡", "replace": "换卡（卡破损）", "passport": "更换护照信息", "cancel": "注销卡"}
EARLY_DIALOG = "当前获批经济体为 澳大利亚、文莱、智利，未包含全部 APEC 经济体，提前制卡后如获更多经济体批准，可以申请换卡或补卡"


def parent_for(app, make_enterprise, make_staff, province, business):
    """A 新办 this business may start on: in APEC经济体审核中 with 3 economies approved (提前制卡,
    更换护照), or 已自取 with valid cards (换补卡, 注销卡)."""
    rules = PROVINCES[province]
    enterprise_id, email = make_enterprise(province=province, office=rules["office"])
    people = [add_person(app, enterprise_id)]
    if rules.get("members") == 2:
        people.append(add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028",
                                 passport="E26895599"))
    parent_id = submitted_application(app, enterprise_id, people)
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


def start(page, rules, parent_number, business, label):
    """Start the business the province's way, up to its first step."""
    if rules["start"] == "row":
        page.goto("/user-center/")
        row = page.locator(".application-card").filter(has_text=parent_number)
        if business == "early":
            row.get_by_role("link", name=label).click()
        else:
            row.get_by_role("button", name=label).click()
    elif rules["start"] == "chooser":
        page.goto("/apply/")
        page.get_by_role("link", name=label, exact=True).click()  # Guangxi's names are verbs: no 申请
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        # 换补卡 and 注销 by the first member's card, 更换护照 by person, 提前制卡 by 团组.
        chosen = {"replace": "APEC12345678", "cancel": "APEC12345678", "passport": "宋文泰"}.get(business, parent_number)
        page.get_by_role("row").filter(has_text=chosen).get_by_role("link" if business == "early" else "button").click()
    else:
        page.goto("/apply/")
        page.get_by_role("link", name="申请制卡、换卡").click()
        page.get_by_label(HEBEI_KINDS[business], exact=True).check()
        choice = page.get_by_label("原申报")
        choice.select_option(choice.locator("option", has_text=f"{parent_number}（宋文泰，").get_attribute("value"))
        page.get_by_role("button", name="下一步").click()
    if business == "early" and rules["start"] != "combined":
        expect(page.get_by_role("dialog")).to_contain_text(EARLY_DIALOG)
        page.get_by_role("button", name="确定").click()


def fill_in_the_form(page, business, rules):
    if business == "replace" and rules["start"] != "combined":  # Hebei chose 换卡（卡破损） already
        page.get_by_label("卡破损").check()
    if business == "replace" and rules["start"] == "combined":
        expect(page.get_by_label("卡破损")).to_be_checked()
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


def choose_the_members(page, business):
    """补充信息 of a 团组: add the other card holder (换补卡, 注销), remove a member (提前制卡); a second
    person cannot join a 更换护照 (one new passport)."""
    section = page.locator("#members-section")
    if business in ("replace", "cancel"):
        expect(section.get_by_role("row")).to_have_count(2)  # the header and 宋文泰
        page.get_by_label("选择成员").select_option(label="单丽娜")
        page.get_by_role("button", name="添加").click()
        expect(page.locator("#members-section").get_by_role("row").filter(has_text="单丽娜")).to_be_visible()
    elif business == "early":
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("row").filter(has_text="单丽娜").get_by_role("button", name="删除").click()
        expect(page.locator("#members-section").get_by_role("row").filter(has_text="单丽娜")).to_have_count(0)
    else:
        page.get_by_label("选择成员").select_option(label="单丽娜")
        page.get_by_role("button", name="添加").click()
        expect(page.get_by_text("更换护照每次为一名人员办理")).to_be_visible()
    page.locator("form").filter(has=page.get_by_role("button", name="下一步")).get_by_role("button", name="下一步").click()


def upload_every_slot(page, tmp_path):
    document = tmp_path / "盖章扫描件.pdf"
    document.write_bytes(PDF)
    slots = page.locator(".material-slot").filter(has=page.locator("input[name=kind]"))
    for index in range(slots.count()):
        slot = slots.nth(index)
        slot.locator("input[type=file]").set_input_files(str(document))
        slot.get_by_role("button", name="点击上传").click()
        expect(slots.nth(index)).to_contain_text("盖章扫描件.pdf")
    page.get_by_role("button", name="下一步").click()


def go_through_the_steps(page, business, rules, tmp_path) -> str:
    """Each step the province's wizard shows for the business, by its heading, to 提交; the number."""
    heading = page.get_by_role("heading", level=1)
    shown = None
    while True:
        expect(heading).not_to_have_text(shown or "")
        shown = heading.inner_text()
        if shown in ("在线填表", "信息填写", "基本信息"):
            fill_in_the_form(page, business, rules)
        elif shown == "取卡方式":
            page.get_by_label("自取").check()
            page.get_by_role("button", name="下一步").click()
        elif shown in ("成员信息", "添加人员"):
            choose_the_members(page, business) if rules.get("members") == 2 else \
                page.get_by_role("button", name="下一步").click()
        elif shown in ("上传材料", "上传附件"):
            upload_every_slot(page, tmp_path)
        elif shown in ("信息确认", "提交", "上报"):
            page.get_by_role("button", name=re.compile("^(提交|保存并上报)$")).click()
            break
        else:
            raise AssertionError(f"unexpected step {shown!r}")
    expect(heading).to_have_text("已提交，待受理")
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


def walk(app, open_page, tmp_path, make_enterprise, make_staff, province, business):
    rules = PROVINCES[province]
    parent_id, email = parent_for(app, make_enterprise, make_staff, province, business)
    enterprise = open_page(email)
    enterprise.goto(f"/user-center/applications/{parent_id}")
    parent_number = re.search(r"APEC\d{14}", enterprise.locator(".application-number").inner_text()).group(0)

    label = rules.get("labels", {}).get(business, LABELS[business])
    start(enterprise, rules, parent_number, business, label)
    number = go_through_the_steps(enterprise, business, rules, tmp_path)
    assert number.startswith(f"{parent_number}-01-")
    related_id = int(re.search(r"/applications/(\d+)", enterprise.url).group(1))
    enterprise.goto("/user-center/?tab=" + business)
    expect(enterprise.locator(".application-card").filter(has_text=number)).to_contain_text("已提交，待受理")

    mfa = review_and_approve(open_page, province, number)
    if business == "cancel":
        enterprise_sees(enterprise, related_id, "卡已注销")
        enterprise_sees(enterprise, parent_id, "已自取")
        expect(enterprise.get_by_role("row").filter(has_text="APEC12345678")).to_contain_text("已注销")
        if rules.get("members") == 2:  # the second card holder, added on the members step
            expect(enterprise.get_by_role("row").filter(has_text="APEC12345679")).to_contain_text("已注销")
        return
    if business == "passport":
        enterprise_sees(enterprise, related_id, "已办结")
        enterprise.goto(f"/user-center/applications/{parent_id}")
        expect(enterprise.get_by_text(re.compile("护照已更换为新护照"))).to_be_visible()
        expect(enterprise.get_by_role("cell", name="E5*****23")).to_be_visible()
        return

    if rules["pays"] == "voucher":  # Liaoning's 汇款单 went with the application
        pay_by_voucher(enterprise, related_id, tmp_path)
    confirmer = open_page(f"{province}.{rules['payment_office']}@example.com", "staff") \
        if "payment_office" in rules else mfa  # Guangxi: paid and confirmed at 广西外办
    staff_does(confirmer, number, "确认缴费")
    enterprise_sees(enterprise, related_id, "待制卡")
    holders = ["宋文泰", "单丽娜"] if business == "replace" and rules.get("members") == 2 else ["宋文泰"]
    staff_does(mfa, number, "制卡", **{f"{name} 的卡号": f"APEC2000000{index + 1}" for index, name in enumerate(holders)})
    enterprise_sees(enterprise, related_id, "待自取")
    office = open_page(f"{province}.{rules['office']}@example.com", "staff")
    staff_does(office, number, "已自取", **{"领取人姓名": "宋文泰", "领取人身份证号": "110105199805152516"})
    enterprise_sees(enterprise, related_id, "已自取")
    expect(enterprise.get_by_role("row").filter(has_text="APEC20000001")).to_contain_text("有效")
    if business == "early":
        enterprise_sees(enterprise, parent_id, "APEC经济体审核中，已提前制卡")
    else:
        enterprise_sees(enterprise, parent_id, "已自取")
        expect(enterprise.get_by_role("row").filter(has_text="APEC12345678")).to_contain_text("已换卡")
        if rules.get("members") == 2:
            expect(enterprise.get_by_role("row").filter(has_text="APEC12345679")).to_contain_text("已换卡")


@pytest.mark.parametrize("business", list(LABELS))
@pytest.mark.parametrize("province", list(PROVINCES))
def test_each_business_from_the_parent_to_its_effect(app, open_page, tmp_path, make_enterprise, make_staff,
                                                      province, business):
    walk(app, open_page, tmp_path, make_enterprise, make_staff, province, business)


@pytest.mark.parametrize("province, business", [
    ("hunan", "early"), ("hunan", "replace"), ("hunan", "passport"), ("hunan", "cancel"),
    ("guangxi", "replace"), ("guangxi", "early"), ("guangxi", "passport"), ("hebei", "passport"),
])
def test_the_same_without_javascript(app, chromium, live_server, tmp_path, make_enterprise, make_staff, province,
                                     business):
    with _signed_in_tabs(chromium, live_server, False) as open_as:
        walk(app, open_as, tmp_path, make_enterprise, make_staff, province, business)


def test_no_button_and_a_refused_post_for_a_parent_that_allows_nothing(app, open_page, make_enterprise, count):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    page = open_page(email)
    page.goto("/user-center/")
    row = page.locator(".application-card").first
    expect(row).to_contain_text("已提交，待受理")
    for label in LABELS.values():
        expect(row.get_by_role("button", name=label)).to_have_count(0)
        expect(row.get_by_role("link", name=label)).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for business in LABELS:
        refused = page.request.post(f"/apply/{parent_id}/related/{business}", form={"csrf_token": token})
        assert refused.status == 409
        assert f"申请单当前状态为“已提交，待受理”，不能申请{LABELS[business]}" in refused.text()
    page.goto(f"/apply/{parent_id}/related/early")
    expect(page.get_by_role("alert")).to_contain_text("不能申请提前制卡")
    assert count(Application) == 1
