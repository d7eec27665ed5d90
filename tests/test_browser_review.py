"""Browser: each province's application from submission through every office of its chain, one
return and resubmission, payment, the economies' decisions and the card, to 已自取 or 已邮寄 —
checked on the staff side and on the enterprise side, by visible labels."""

import re

from playwright.sync_api import expect

from apec.economies import preclearing_economies

from .factories import PDF, add_person, submitted_application


def open_application(page, number):
    page.goto("/staff/")
    page.get_by_role("row").filter(has_text=number).get_by_role("link", name="办理").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def open_action(page, label):
    """Unfold the action's form (each action on the staff page is folded under its name)."""
    action = page.locator("details.action").filter(has=page.locator("summary", has_text=re.compile(f"^{label}$")))
    action.locator("summary").click()
    return action


def staff_does(page, number, label, **fields):
    open_application(page, number)
    form = open_action(page, label)
    for field_label, value in fields.items():
        form.get_by_label(field_label).fill(value)
    form.get_by_role("button", name=f"确定{label}", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(number)  # 已受理：APEC… and the like


def enterprise_sees(page, application_id, text):
    page.goto(f"/user-center/applications/{application_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def pay_by_voucher(page, application_id, tmp_path):
    """待缴费: upload the voucher with 开票信息, as the enterprise. Hebei's 缴费凭证, Hunan's and
    Guangxi's 支付凭证 (在线支付 too: the bank receipt is the proof)."""
    enterprise_sees(page, application_id, "待缴费")
    page.get_by_role("link", name=re.compile("^上传(缴费|支付)凭证$")).click()
    expect(page.get_by_text("9558850200001278881")).to_be_visible()
    voucher = tmp_path / "回单.pdf"
    voucher.write_bytes(PDF)
    page.get_by_label(re.compile("^(缴费|支付)凭证")).set_input_files(str(voucher))
    page.get_by_label("发票抬头").fill("测试企业有限公司")
    page.get_by_label("纳税人识别号").fill("91430100MA4L2X3K8X")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("支付凭证确认")


def walk(app, open_page, tmp_path, make_enterprise, make_staff, *, province, office, chain, resubmit_step,
         resubmit_button, pickup="self", pays=True, payment_office="mfa"):
    enterprise_id, email = make_enterprise(province=province, office=office)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)], pickup=pickup)
    for code in set(chain) | {"mfa"}:
        make_staff(f"{province}.{code}@example.com", province=province, office=code)
    enterprise = open_page(email)
    page = enterprise
    page.goto(f"/user-center/applications/{application_id}")
    number = re.search(r"APEC\d{14}", page.locator(".application-number").inner_text()).group(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("已提交，待受理")

    first = open_page(f"{province}.{chain[0]}@example.com", "staff")
    staff_does(first, number, "受理")
    # One return with an opinion, seen and answered by the enterprise.
    open_application(first, number)
    back = open_action(first, "退回")
    back.get_by_label("审核意见").fill("联系人电话请改为手机号码")
    back.get_by_label("联系人信息").check()
    back.get_by_role("button", name="确定退回", exact=True).click()
    expect(first.get_by_role("heading", level=1)).to_contain_text("已反馈审核意见")

    enterprise_sees(enterprise, application_id, "已反馈审核意见")
    expect(enterprise.get_by_role("alert")).to_contain_text("联系人电话请改为手机号码")
    enterprise.get_by_role("link", name="编辑").click()
    enterprise.get_by_role("link", name=re.compile(resubmit_step)).click()
    enterprise.get_by_role("button", name=resubmit_button).click()
    expect(enterprise.get_by_role("heading", level=1)).to_have_text("已提交，待受理")

    staff_does(first, number, "受理")
    for position, code in enumerate(chain):
        reviewer = first if position == 0 else open_page(f"{province}.{code}@example.com", "staff")
        staff_does(reviewer, number, "上报")
    mfa = open_page(f"{province}.mfa@example.com", "staff")
    staff_does(mfa, number, "审核通过")

    if pays:
        pay_by_voucher(enterprise, application_id, tmp_path)
    confirmer = mfa if payment_office == "mfa" else open_page(f"{province}.{payment_office}@example.com", "staff")
    staff_does(confirmer, number, "确认缴费")

    open_application(mfa, number)
    economies = preclearing_economies()
    for economy in economies:
        decision = "未获批" if economy.code == "PG" else "获批"
        mfa.get_by_label(re.compile(f" {economy.name}$")).select_option(label=decision)
    mfa.get_by_role("button", name="保存审核结果").click()
    expect(mfa.get_by_role("heading", level=1)).to_contain_text("全部经济体审核完成")
    enterprise_sees(enterprise, application_id, "全部经济体审核完成")
    expect(enterprise.get_by_role("cell", name="未获批")).to_be_visible()

    staff_does(mfa, number, "制卡", **{"宋文泰 的卡号": "APEC53224708"})
    handed = "已邮寄" if pickup == "mail" else "已自取"
    enterprise_sees(enterprise, application_id, "待邮寄" if pickup == "mail" else "待自取")
    office_page = first if chain[0] == office else open_page(f"{province}.{office}@example.com", "staff")
    fields = {"邮寄单号": "SF1234567890"} if pickup == "mail" else \
        {"领取人姓名": "宋文泰", "领取人身份证号": "110105199805152516"}  # the holder, ID checked
    staff_does(office_page, number, handed, **fields)
    expect(office_page.get_by_role("heading", level=1)).to_contain_text(handed)

    enterprise_sees(enterprise, application_id, handed)
    expect(enterprise.get_by_role("cell", name="APEC53224708")).to_be_visible()
    enterprise.get_by_role("link", name="消息中心").click()
    expect(enterprise.get_by_text(f"申请单 {number} {handed}")).to_be_visible()


def test_hunan_chain_to_mailed_card(app, open_page, tmp_path, make_enterprise, make_staff):
    walk(app, open_page, tmp_path, make_enterprise, make_staff, province="hunan", office="hunan", chain=["hunan"],
         resubmit_step="信息确认", resubmit_button="提交", pickup="mail")


def test_guangxi_chain_to_picked_up_card(app, open_page, tmp_path, make_enterprise, make_staff):
    walk(app, open_page, tmp_path, make_enterprise, make_staff, province="guangxi", office="guangxi",
         chain=["guangxi"], resubmit_step="上报", resubmit_button="保存并上报", payment_office="guangxi")


def test_hebei_chain_through_city_and_province_offices(app, open_page, tmp_path, make_enterprise, make_staff):
    walk(app, open_page, tmp_path, make_enterprise, make_staff, province="hebei", office="handan",
         chain=["handan", "hebei"], resubmit_step="提交", resubmit_button="提交")


def test_liaoning_chain_with_the_remittance_sent_at_submission(app, open_page, tmp_path, make_enterprise,
                                                             make_staff):
    walk(app, open_page, tmp_path, make_enterprise, make_staff, province="liaoning", office="jinzhou",
         chain=["jinzhou", "liaoning"], resubmit_step="信息确认", resubmit_button="提交", pays=False)
