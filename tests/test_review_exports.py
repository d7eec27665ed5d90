"""What staff print and export: the 受理回执 and the hand-over list as PDF (text read back), the
list as filtered on screen as Excel (read back with openpyxl) and CSV."""

import csv
import io
import subprocess

import openpyxl
from sqlalchemy import select

from apec.applications.models import Application, Card

from .factories import act, add_person, put_at_status, staff, submitted_application


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_the_acceptance_receipt(app, scalar, make_enterprise, make_staff):
    enterprise_id, _ = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    city = staff(app, "hebei.cangzhou@example.com")
    assert city.get(f"/staff/applications/{application_id}/receipt.pdf").status_code == 404, "not accepted yet"
    act(city, scalar, application_id, "accept")
    assert "打印受理回执" in city.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    response = city.get(f"/staff/applications/{application_id}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    number = scalar(select(Application.number))
    for shown in ("受理回执", number, "沧州市", "宋文泰", "E2*****02", "受理时间"):
        assert shown in text, shown
    assert "E26895502" not in text


def test_the_hand_over_list_lists_the_cards_waiting_at_the_window(app, scalar, make_enterprise, make_staff, data):
    from apec.extensions import db

    enterprise_id, _ = make_enterprise(province="hebei", office="cangzhou")
    person_id = add_person(app, enterprise_id)
    application_id = submitted_application(app, enterprise_id, [person_id])
    put_at_status(app, application_id, "card_ready", "cangzhou")
    import datetime
    with app.app_context():
        db.session.add(Card(person_id=person_id, application_id=application_id, number="APEC53224708",
                            valid_from=datetime.date(2026, 12, 1), valid_to=datetime.date(2031, 11, 30), economies=[]))
        db.session.commit()
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    text = pdf_text(staff(app, "hebei.cangzhou@example.com").get("/staff/handover-list.pdf").data)
    assert "领取签收单" in text and "APEC53224708" in text and "宋文泰" in text and "共 1 张待领取" in text


def test_the_list_as_filtered_is_exported_to_excel_and_csv(app, scalar, make_enterprise, make_staff):
    ours, _ = make_enterprise(province="hebei", office="cangzhou", name="沧州甲贸易有限公司")
    other, _ = make_enterprise(province="hebei", office="cangzhou", name="沧州乙=贸易有限公司")
    submitted_application(app, ours, [add_person(app, ours)])
    submitted_application(app, other, [add_person(app, other, name="单丽娜", id_number="110105198501010020",
                                                  passport="E12345678")])
    make_staff("hebei.cangzhou@example.com", province="hebei", office="cangzhou")
    city = staff(app, "hebei.cangzhou@example.com")
    response = city.get("/staff/export.xlsx?view=todo&enterprise=甲贸易")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("申请单号", "企业", "统一社会信用代码", "业务类型")
    assert len(rows) == 2 and rows[1][1] == "沧州甲贸易有限公司" and rows[1][5] == "宋文泰"
    assert rows[1][6] == "已提交，待受理"

    everything = city.get("/staff/export.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(everything)))
    assert len(table) == 3 and {row[1] for row in table[1:]} == {"沧州甲贸易有限公司", "沧州乙=贸易有限公司"}
