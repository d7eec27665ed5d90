"""Browser: the back office as staff use it — 查询 by each key, the whole record of a 5-person
group (three screens with its sections folded), 全部获批 with exceptions, the MFA's CSV with a bad
row then a good one, a correction with its audit entry, 认领 and 分配, the printed 受理回执 and the
Excel export read back."""

import datetime
import io
import re
import subprocess

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from apec.applications.models import Application, EconomyDecision
from apec.audit import AuditLog
from apec.economies import preclearing_economies
from apec.extensions import db
from apec.validators import mask_identity

from .factories import add_person, put_at_status, submitted_application, valid_id
from .test_browser_review import open_action

TODAY = datetime.date.today().isoformat()
NAMES = ["宋文泰", "单丽娜", "李振华", "王秀英", "赵建国"]


def people(app, enterprise_id, count):
    return [add_person(app, enterprise_id, name=name, id_number=valid_id(f"11010519850101{index:03d}"),
                       passport=f"E1234567{index}") for index, name in enumerate(NAMES[:count])]


def number_of(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).number


def audit_count(app, event):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.event == event))


@pytest.fixture
def at_city(app, make_enterprise, make_staff):
    """A Hebei 新办 of 宋文泰 waiting at 沧州市外办, whose two reviewers exist."""
    enterprise_id, _ = make_enterprise(province="hebei", office="cangzhou", name="沧州远航贸易有限公司")
    application_id = submitted_application(app, enterprise_id, people(app, enterprise_id, 1))
    for email in ("zhang@example.com", "li@example.com"):
        make_staff(email, province="hebei", office="cangzhou")
    with app.app_context():
        from apec.accounts.models import User

        for email, name in (("zhang@example.com", "张审核"), ("li@example.com", "李审核")):
            db.session.scalar(select(User).where(User.email == email)).name = name
        db.session.commit()
    return {"id": application_id, "number": number_of(app, application_id)}


@pytest.fixture
def at_economies(app, make_enterprise, make_staff):
    """A Hunan group of `count` at APEC经济体审核中, and the MFA reviewer's e-mail."""
    def make(count):
        enterprise_id, _ = make_enterprise(province="hunan", office="hunan", name="湖南远航贸易有限公司")
        application_id = submitted_application(app, enterprise_id, people(app, enterprise_id, count))
        put_at_status(app, application_id, "economies_review", "mfa")
        make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
        return application_id, number_of(app, application_id)
    return make


def search(page, key, text):
    page.goto("/staff/search")
    page.get_by_label("查询方式").select_option(label=key)
    page.get_by_label("查询内容").fill(text)
    page.get_by_role("button", name="查询", exact=True).click()


@pytest.mark.parametrize("key,text", [("申请单号", None), ("申请人姓名", "文泰"), ("护照号", "e12345670"),
                                      ("身份证号", valid_id("11010519850101000"))])
def test_search_finds_the_application_by_each_key(app, signed_in, at_city, key, text):
    page = signed_in("zhang@example.com", "staff")
    search(page, key, text or at_city["number"][-8:])
    result = page.locator("#results tbody tr")
    expect(result).to_have_count(1)
    expect(result).to_contain_text(at_city["number"])
    expect(result).to_contain_text(f"宋文泰（护照 {mask_identity('E12345670', 2, 2)}）")
    result.get_by_role("link", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(at_city["number"])
    assert audit_count(app, "staff_search") == 1


def test_search_says_what_is_wrong_and_finds_nothing_elsewhere(app, signed_in, at_city, make_staff):
    make_staff("handan@example.com", province="hebei", office="handan")
    page = signed_in("handan@example.com", "staff")
    search(page, "申请人姓名", "宋")
    expect(page.get_by_role("alert")).to_have_text("请输入申请人姓名（至少 2 个字）。")
    search(page, "申请人姓名", "宋文泰")
    expect(page.locator("#results")).to_contain_text("没有找到符合条件的申请单")


def test_the_whole_record_of_a_five_person_group_fits_three_screens(app, open_page, at_economies, tmp_path):
    application_id, number = at_economies(5)
    page = open_page("hunan.mfa@example.com", "staff")
    page.goto(f"/staff/applications/{application_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    page.locator("details.section[open] > summary").evaluate_all("summaries => summaries.forEach(s => s.click())")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(tmp_path / "group-detail.png"), full_page=True)
    assert height <= 3 * 900, f"{height}px: more than three screens with every section folded"

    page.locator("summary", has_text="申请人员（5 人）").click()
    members = page.locator("#members section.member-record")
    expect(members).to_have_count(5)
    for name in NAMES:
        expect(members.filter(has_text=name)).to_have_count(1)
    expect(members.first).to_contain_text(mask_identity(valid_id("11010519850101000")))
    expect(members.first).to_contain_text("护照有效期至")
    page.get_by_role("link", name="显示完整证件号码").click()
    expect(page.locator("#members")).to_contain_text(valid_id("11010519850101000"))
    assert audit_count(app, "pii_view") == 1, "showing the full numbers is logged, once"


def economy_cell(page, economy, member):
    table = page.locator("#economies table.economy-table")
    column = table.locator("thead th").all_inner_texts().index(member)
    return table.locator("tbody tr").filter(has=page.locator("td", has_text=re.compile(f"^{economy}$"))) \
        .locator("td").nth(column)


def test_all_approved_for_the_group_with_an_exception(app, signed_in, at_economies):
    application_id, number = at_economies(2)
    page = signed_in("hunan.mfa@example.com", "staff")
    page.goto(f"/staff/applications/{application_id}")
    form = open_action(page, "全部获批")
    form.get_by_label("日本").select_option(label="未获批")
    form.get_by_role("button", name="确定全部获批").click()
    economies = len(preclearing_economies())
    expect(page.get_by_role("status")).to_contain_text(f"已记录 {2 * economies} 项经济体审核结果")
    expect(page.get_by_role("heading", level=1)).to_contain_text("全部经济体审核完成")
    for member in NAMES[:2]:
        expect(economy_cell(page, "日本", member)).to_contain_text("未获批")
        expect(economy_cell(page, "澳大利亚", member)).to_contain_text("获批")
    with app.app_context():
        refused = db.session.scalar(select(func.count()).select_from(EconomyDecision)
                                    .where(EconomyDecision.decision == "refused"))
    assert refused == 2


def csv_file(rows):
    text = "人员,经济体,审核结果,审核日期\n" + "".join(",".join(row) + "\n" for row in rows)
    return {"name": "审核结果.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def test_the_mfas_csv_with_a_bad_row_is_refused_whole_then_imported(app, open_page, at_economies):
    application_id, number = at_economies(2)
    page = open_page("hunan.mfa@example.com", "staff")
    page.goto(f"/staff/applications/{application_id}")
    rows = [(name, economy.name, "获批", TODAY) for name in NAMES[:2] for economy in preclearing_economies()]
    bad = rows[:3] + [("宋文泰", "美国", "获批", TODAY)] + rows[3:]
    form = open_action(page, "导入审核结果")
    form.get_by_label("审核结果文件").set_input_files(csv_file(bad))
    form.get_by_role("button", name="预览").click()
    preview = page.locator("table.import-preview")
    expect(preview).to_contain_text("本次不会导入任何结果")
    expect(preview.locator("tr", has_text="美国")).to_contain_text("“美国”不是需要预审的 APEC 经济体")
    expect(preview.locator("tr", has_text="美国").locator("td").first).to_have_text("5")
    expect(page.get_by_role("button", name=re.compile("确认导入"))).to_have_count(0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EconomyDecision)) == 0

    form = page.locator("details.action", has=page.locator("summary", has_text="导入审核结果"))
    form.get_by_label("审核结果文件").set_input_files(csv_file(rows))
    form.get_by_role("button", name="预览").click()
    expect(page.locator("table.import-preview")).to_contain_text(f"共 {len(rows)} 行，全部可导入")
    page.get_by_role("button", name=f"确认导入 {len(rows)} 项").click()
    expect(page.get_by_role("status")).to_contain_text(f"已导入 {len(rows)} 行")
    expect(page.get_by_role("heading", level=1)).to_contain_text("全部经济体审核完成")


def test_a_decision_corrected_with_its_reason_on_the_timeline_and_in_the_audit(app, open_page, at_economies):
    application_id, number = at_economies(2)
    page = open_page("hunan.mfa@example.com", "staff")
    page.goto(f"/staff/applications/{application_id}")
    open_action(page, "全部获批").get_by_role("button", name="确定全部获批").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("全部经济体审核完成")

    form = open_action(page, "更正审核结果")
    form.get_by_label("人员").select_option(label="单丽娜")
    form.get_by_label("经济体").select_option(label="日本")
    form.get_by_label("更正为").select_option(label="未获批")
    form.get_by_role("button", name="确定更正").click()
    expect(form.get_by_label("更正原因")).to_have_js_property("validity.valueMissing", True)
    form.get_by_label("更正原因").fill("领事司来函更正")
    form.get_by_role("button", name="确定更正").click()
    expect(page.get_by_role("status")).to_contain_text(f"已更正经济体审核结果：{number}")
    expect(economy_cell(page, "日本", "单丽娜")).to_contain_text("未获批")
    expect(economy_cell(page, "日本", "宋文泰")).to_contain_text("获批")
    page.locator("summary", has_text="办理记录").click()
    expect(page.locator("ul.timeline")).to_contain_text("单丽娜：日本由获批")
    expect(page.locator("ul.timeline")).to_contain_text("原因：领事司来函更正")
    assert audit_count(app, "economy_corrected") == 1


def assignee(page):
    return page.locator("dd.assignee")


def test_claim_release_and_assign_to_a_colleague(app, signed_in, at_city):
    zhang = signed_in("zhang@example.com", "staff")
    zhang.goto(f"/staff/applications/{at_city['id']}")
    expect(assignee(zhang)).to_contain_text("未认领")
    assignee(zhang).get_by_role("button", name="认领").click()
    expect(zhang.get_by_role("status")).to_contain_text(f"已认领：{at_city['number']}")
    expect(assignee(zhang)).to_contain_text("张审核")
    assignee(zhang).get_by_role("button", name="释放").click()
    expect(assignee(zhang)).to_contain_text("未认领")

    assignee(zhang).get_by_label("分配给").select_option(label="李审核")
    assignee(zhang).get_by_role("button", name="分配").click()
    expect(zhang.get_by_role("status")).to_contain_text(f"已分配：{at_city['number']}")
    expect(assignee(zhang)).to_contain_text("李审核")
    expect(assignee(zhang).get_by_role("button", name="认领")).to_have_count(0)

    li = signed_in("li@example.com", "staff")
    li.goto("/staff/")
    li.locator("form.search-bar").get_by_label("办理人").select_option(label="我认领的")
    li.locator("form.search-bar").get_by_role("button", name="筛选").click()
    expect(li.locator("#results tbody tr")).to_have_count(1)
    expect(li.locator("#results tbody tr")).to_contain_text(at_city["number"])
    zhang.goto("/staff/?who=mine")
    expect(zhang.locator("#results")).to_contain_text("暂无")


def test_the_printed_receipt_and_the_excel_export(app, open_page, at_city, tmp_path):
    page = open_page("zhang@example.com", "staff")
    page.goto(f"/staff/applications/{at_city['id']}")
    expect(page.get_by_role("link", name="打印受理回执")).to_have_count(0)
    action = open_action(page, "受理")
    action.get_by_role("button", name="确定受理").click()
    expect(page.get_by_role("status")).to_contain_text(at_city["number"])

    link = page.get_by_role("link", name="打印受理回执")
    expect(link).to_have_attribute("target", "_blank")
    receipt = page.request.get(link.get_attribute("href"))
    assert receipt.headers["content-type"] == "application/pdf"
    (tmp_path / "receipt.pdf").write_bytes(receipt.body())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "receipt.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("受理回执", at_city["number"], "沧州远航贸易有限公司", "宋文泰", "沧州市人民政府外事办公室"):
        assert expected in text, expected

    page.goto("/staff/")
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="导出 Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(downloaded.value.path(), "rb").read())).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert "申请单号" in rows[0] and any(at_city["number"] in row for row in rows[1:])
    assert any("沧州远航贸易有限公司" in row for row in rows[1:])
