"""Browser: each province's guide, step by step by visible labels, from login to the
submitted application in the enterprise's list with its status."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD
from .factories import PDF, add_person, image_bytes


@pytest.fixture
def files(tmp_path):
    paths = {"pdf": tmp_path / "材料.pdf", "photo": tmp_path / "照片.jpg", "signature": tmp_path / "签名.png",
             "wrong": tmp_path / "不合格.jpg"}
    paths["pdf"].write_bytes(PDF)
    paths["photo"].write_bytes(image_bytes())
    paths["signature"].write_bytes(image_bytes((300, 150), kind="PNG"))
    paths["wrong"].write_bytes(image_bytes((640, 480), color="blue"))
    return paths


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("邮箱账号").fill(email)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_role("link", name="消息中心")).to_be_visible()


def upload(page, label, path, within=None, issued_on=None):
    scope = within or page
    slot = scope.locator(".material-slot").filter(has_text=label).first
    if issued_on:
        slot.get_by_label("开具日期").fill(issued_on)
    slot.get_by_label("选择文件").set_input_files(str(path))
    slot.get_by_role("button", name="点击上传").click()
    expect(slot.get_by_text(path.name)).to_be_visible()


def expect_submitted_in_list(page, list_name="我的申请单"):
    expect(page.get_by_text("提交成功，申请单号")).to_be_visible()
    number = re.search(r"APEC\d{14}", page.get_by_text("提交成功，申请单号").inner_text()).group(0)
    page.get_by_role("link", name=list_name, exact=True).click()
    card = page.locator(".application-card").filter(has_text=number)
    expect(card).to_contain_text("已提交，待受理")
    return number


def test_hunan_new_card_on_the_national_platform_steps(page, app, files, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    add_person(app, enterprise_id)
    sign_in(page, email)
    page.get_by_role("link", name="申请办理").first.click()
    page.get_by_role("button", name="申请新办").click()

    expect(page.get_by_role("heading", name="在线填表")).to_be_visible()
    page.get_by_label("申请人").select_option(label="宋文泰")
    page.get_by_label("联系人姓名").fill("袁媛")
    page.get_by_label("联系人电话").fill("134-abc")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("请填写手机号码或带区号的固定电话")).to_be_visible()
    expect(page.get_by_label("联系人姓名")).to_have_value("袁媛")
    page.get_by_label("联系人电话").fill("13456767660")
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="上传材料")).to_be_visible()
    upload(page, "营业执照副本", files["pdf"])
    upload(page, "企业申请函", files["pdf"])
    upload(page, "护照首页", files["pdf"])
    wrong = page.locator(".material-slot").filter(has_text="证件照片")
    wrong.get_by_label("选择文件").set_input_files(str(files["wrong"]))
    wrong.get_by_role("button", name="点击上传").click()
    expect(wrong.get_by_role("alert")).to_contain_text("宽 600 像素、高 800 像素")
    upload(page, "证件照片", files["photo"])
    upload(page, "在职证明", files["pdf"])
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="取卡方式")).to_be_visible()
    page.get_by_label("自取", exact=True).check()
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="信息确认")).to_be_visible()
    expect(page.get_by_text("自取：湖南省人民政府外事办公室")).to_be_visible()
    page.get_by_role("link", name="修改").first.click()
    expect(page.get_by_role("heading", name="在线填表")).to_be_visible()
    page.get_by_role("link", name="4 信息确认").click()
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_role("heading", name="已提交，待受理")).to_be_visible()
    expect(page.get_by_text("¥ 720")).to_be_visible()
    expect_submitted_in_list(page)


def test_liaoning_new_card_with_the_qualification_standards(page, app, files, make_enterprise):
    enterprise_id, email = make_enterprise(province="liaoning", office="dalian")
    add_person(app, enterprise_id)
    sign_in(page, email)
    page.get_by_role("link", name="申请办理").first.click()
    page.get_by_text("申办条件和所需材料").first.click()
    expect(page.get_by_text("申请人须提供 6 个月以上的社保缴纳明细").first).to_be_visible()
    expect(page.get_by_text("学生、商务人员的配偶和子女")).to_be_visible()
    page.get_by_role("button", name="申请新办").click()

    page.get_by_role("combobox", name="申请人", exact=True).select_option(label="宋文泰")
    page.get_by_label("员工人数").fill("9")
    page.get_by_label("员工人数").press("Tab")
    page.get_by_label("纳税信用等级").select_option(label="A 级")
    expect(page.get_by_text("申办企业员工人数须在 10 人以上（当前填写 9 人）")).to_be_visible()
    page.get_by_label("员工人数").fill("86")
    page.get_by_label("加工制造或货物贸易进出口类企业").check()
    page.get_by_label("与APEC经济体贸易往来情况").fill("上年度对日本、韩国出口海产品 1200 万美元")
    page.get_by_label("社保缴纳月数").fill("5")
    page.get_by_label("社保缴纳月数").press("Tab")
    page.get_by_label("联系人姓名").fill("孙志强")
    expect(page.get_by_text("申请人须提供 6 个月以上的社保缴纳明细（当前填写 5 个月）")).to_be_visible()
    page.get_by_label("社保缴纳月数").fill("24")
    page.get_by_label("社保单上的姓名和工作单位与申请人、申请单位一致").check()
    page.get_by_label("联系人电话").fill("0411-83632125")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("请阅读禁办情形后勾选确认")).to_be_visible()
    page.get_by_label("本企业及申请人不属于违规禁办事项清单所列任何一种情形").check()
    page.get_by_role("button", name="下一步").click()

    for label in ("企业申请公函", "企业营业执照副本", "完成依法纳税证明", "海关进出口货物报关单", "银行汇款单",
                  "申请人有效护照", "社保缴纳明细"):
        upload(page, label, files["pdf"])
    recent = (datetime.date.today() - datetime.timedelta(days=20)).isoformat()
    upload(page, "无犯罪记录证明", files["pdf"], issued_on=recent)
    upload(page, "白底彩色照片", files["photo"])
    upload(page, "本人签名", files["signature"])
    page.get_by_role("button", name="下一步").click()

    page.get_by_label("自取", exact=True).check()
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("大连市人民政府外事办公室审核")).to_be_visible()
    expect(page.get_by_text("辽宁省外事管理服务大厅审核")).to_have_count(0)
    expect_submitted_in_list(page)


def test_hebei_batch_declaration_withdraw_and_resubmit(page, app, files, make_enterprise):
    enterprise_id, email = make_enterprise(province="hebei", office="baoding")
    add_person(app, enterprise_id)
    add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")
    sign_in(page, email)
    page.get_by_role("link", name="业务申报").first.click()
    page.get_by_role("button", name="申请新办").click()

    expect(page.get_by_role("heading", name="制卡说明")).to_be_visible()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("请阅读制卡说明后勾选")).to_be_visible()
    page.get_by_label("我已阅读并知晓制卡说明").check()
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="信息填写")).to_be_visible()
    page.get_by_label("员工人数").fill("65")
    page.get_by_label("纳税信用等级").select_option(label="B 级")
    page.get_by_label("加工制造或货物贸易进出口类企业").check()
    page.get_by_label("与APEC经济体贸易往来情况").fill("向越南出口机械设备")
    page.get_by_label("联系人姓名").fill("张立华")
    page.get_by_label("联系人电话").fill("13911112222")
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="添加人员")).to_be_visible()
    for name in ("宋文泰", "单丽娜"):
        page.get_by_label("选择成员").select_option(label=name)
        page.get_by_role("button", name="添加", exact=True).click()
        expect(page.get_by_role("cell", name=name)).to_be_visible()
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="上传附件")).to_be_visible()
    upload(page, "营业执照", files["pdf"])
    upload(page, "与APEC经济体贸易往来证明", files["pdf"])
    for name in ("宋文泰", "单丽娜"):
        section = page.locator("section.materials").filter(has=page.get_by_role("heading", name=f"{name} 的材料"))
        for label in ("护照首页", "身份证", "社保证明"):
            upload(page, label, files["pdf"], within=section)
        upload(page, "照片", files["photo"], within=section)
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("¥ 1440")).to_be_visible()

    page.get_by_role("link", name="撤回", exact=True).click()
    page.get_by_role("button", name="确定撤回").click()
    expect(page.get_by_role("heading", name="未提交")).to_be_visible()
    page.get_by_role("link", name="申报历史查询").click()
    page.get_by_role("row").filter(has_text="未提交").get_by_role("link", name="编辑").click()
    expect(page.get_by_role("heading", name="制卡说明")).to_be_visible()  # the wizard, in one click
    page.get_by_role("link", name="2 信息填写").click()
    page.get_by_label("联系人电话").fill("0312-5551234")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("link", name="5 提交").click()
    page.get_by_role("button", name="提交").click()
    number = expect_submitted_in_list(page)
    page.get_by_role("link", name="申报历史查询").click()
    expect(page.get_by_role("row").filter(has_text=number)).to_contain_text("已提交，待受理")


def test_guangxi_group_member_by_member_then_report(page, app, files, make_enterprise):
    _, email = make_enterprise(province="guangxi", office="guangxi", ownership="private")
    sign_in(page, email)
    page.get_by_role("link", name="新卡申办", exact=True).click()
    page.get_by_role("button", name="新卡申办", exact=True).click()
    page.get_by_label("我已经阅读").check()
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", name="成员信息")).to_be_visible()
    page.get_by_label("身份证号").fill("450103198511030016"[:17] + check_digit("45010319851103001"))
    page.get_by_label(re.compile(r"^姓名")).fill("黄振宁")
    page.get_by_label("手机号码").fill("13977112233")
    expect(page.get_by_label("姓（拼音）")).to_have_value("HUANG")  # proposed inline on leaving 姓名
    page.get_by_label("职务").fill("总经理")
    page.get_by_label("护照号码").fill("E45010311")
    page.get_by_label("签发日期").fill("2023-05-01")
    page.get_by_label("有效期至").fill((datetime.date.today() + datetime.timedelta(days=1500)).isoformat())
    page.get_by_label("签发地点").fill("广西")
    page.get_by_role("button", name="暂存").click()
    expect(page.get_by_text("已暂存 黄振宁 的信息")).to_be_visible()
    for label in ("个人事项表", "护照首页", "身份证正反面", "营业执照副本", "社保缴纳证明", "贸易往来证明"):
        upload(page, label, files["pdf"])
    upload(page, "照片信息", files["photo"])
    page.get_by_role("button", name="保存并下一步").click()

    expect(page.get_by_role("heading", name="上报")).to_be_visible()
    page.get_by_label("邮寄", exact=True).check()
    page.get_by_label("收件人", exact=True).fill("黄振宁")
    page.get_by_label("收件人电话").fill("13977112233")
    page.get_by_label("邮寄地址").fill("南宁市青秀区民族大道100号")
    page.get_by_label("在线支付").check()
    page.get_by_label("发票抬头").fill("广西测试企业有限公司")
    page.get_by_label("纳税人识别号").fill("91450100MA5K8N2P3L")
    page.get_by_label("申请事由").fill("赴日本洽谈业务")
    page.get_by_label("联系人姓名").fill("黄振宁")
    page.get_by_label("联系人电话").fill("0771-5551234")
    upload(page, "申请函", files["pdf"])
    page.get_by_role("button", name="保存并上报").click()
    expect_submitted_in_list(page, list_name="我的办件")


def check_digit(body17):
    from stdnum.cn import ric

    return ric.calc_check_digit(body17 + "0")
