"""地址簿 and 发票信息: add, edit, delete, pick one when applying; another enterprise's is a 404."""

from sqlalchemy import select

from apec.applications.models import Application
from apec.enterprises.models import AddressBookEntry, InvoiceBookEntry

from .conftest import login, submit
from .factories import add_person, start
from .factories import fill_form

ADDRESS = {"recipient": "袁媛", "phone": "13456767660", "address": "长沙市岳麓区麓山南路1号", "postcode": "410000"}
INVOICE = {"title": "湖南测试企业有限公司", "tax_number": "91430100MA4L2X3K8X"}


def test_address_book_add_edit_delete(client, scalar, count, make_enterprise):
    _, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    assert submit(client, "/enterprise/addresses/new", ADDRESS).status_code == 303
    assert "长沙市岳麓区麓山南路1号" in client.get("/enterprise/addresses").get_data(as_text=True)
    entry_id = scalar(select(AddressBookEntry.id))
    bad = submit(client, f"/enterprise/addresses/{entry_id}/edit", dict(ADDRESS, postcode="41"))
    assert bad.status_code == 422 and "邮政编码为 6 位数字" in bad.get_data(as_text=True)
    assert submit(client, f"/enterprise/addresses/{entry_id}/edit", dict(ADDRESS, recipient="周敏")).status_code == 303
    assert scalar(select(AddressBookEntry.recipient)) == "周敏"
    assert submit(client, f"/enterprise/addresses/{entry_id}/delete", {}, page="/enterprise/addresses").status_code == 303
    assert count(AddressBookEntry) == 0


def test_invoice_book_needs_title_and_tax_number(client, count, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    response = submit(client, "/enterprise/invoices/new", {"title": "", "tax_number": ""})
    assert response.status_code == 422
    assert "请填写发票抬头" in response.get_data(as_text=True)
    assert submit(client, "/enterprise/invoices/new", INVOICE).status_code == 303
    assert count(InvoiceBookEntry) == 1


def test_another_enterprises_book_entries_are_404(app, client, scalar, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    submit(client, "/enterprise/addresses/new", ADDRESS)
    entry_id = scalar(select(AddressBookEntry.id))
    other = app.test_client()
    _, other_email = make_enterprise()
    login(other, other_email)
    assert other.get(f"/enterprise/addresses/{entry_id}/edit").status_code == 404
    assert submit(other, f"/enterprise/addresses/{entry_id}/delete", {}, page="/enterprise/addresses").status_code == 404
    assert "长沙市" not in other.get("/enterprise/addresses").get_data(as_text=True)
    assert scalar(select(AddressBookEntry.id)) == entry_id


def test_a_saved_address_is_picked_for_mailing(app, client, scalar, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    submit(client, "/enterprise/addresses/new", ADDRESS)
    entry_id = scalar(select(AddressBookEntry.id))
    application_id = start(client)
    fill_form(client, application_id, person_id)
    page = client.get(f"/apply/{application_id}/pickup").get_data(as_text=True)
    assert "选择已保存的地址" in page and "管理地址簿" in page
    response = submit(client, f"/apply/{application_id}/pickup",
                      {"method": "mail", "saved_address": str(entry_id), "action": "next"})
    assert response.status_code == 303
    snapshot = scalar(select(Application.pickup_snapshot).where(Application.id == application_id))
    assert snapshot["address"] == ADDRESS["address"] and snapshot["recipient"] == "袁媛"


def test_a_saved_invoice_is_picked_at_report(client, scalar, make_enterprise):
    _, email = make_enterprise(province="guangxi", office="guangxi")
    login(client, email)
    submit(client, "/enterprise/invoices/new", INVOICE)
    entry_id = scalar(select(InvoiceBookEntry.id))
    application_id = start(client)
    response = submit(client, f"/apply/{application_id}/report", {
        "method": "self", "point": "0", "payment_method": "window", "saved_invoice": str(entry_id),
        "purpose": "洽谈业务", "contact_name": "黄振宁", "contact_phone": "13977112233", "action": "draft"})
    assert response.status_code == 303
    assert scalar(select(Application.invoice_snapshot).where(Application.id == application_id)) == INVOICE
