"""Each workflow switch of province.toml changes what users see and do: `application_unit` how
members are entered, `payment_stage` when and how the fee is paid. A switch goes through the same
loader and schema as at start-up (an operator's config/provinces/<code>.toml)."""

import re

import pytest
from sqlalchemy import select

from apec.applications.models import Payment
from apec.provinces.registry import ProvinceConfigError, load_provinces

from .conftest import login, submit
from .factories import act, add_person, awaiting_payment, put_at_status, staff, start, status, submitted_application

BATCH_GUANGXI = """
[workflow]
application_unit = "batch"
[wizard]
steps = ["notice", "members", "materials", "report"]
"""


def test_guangxi_fills_in_each_member_of_its_group(app, client, make_enterprise):
    _, email = make_enterprise(province="guangxi", office="guangxi")
    login(client, email)
    before = client.get(f"/apply/{start(client)}/members").get_data(as_text=True)
    assert "保存并下一人" in before and "选择成员" not in before, "a 团组 fills each member in"


def test_switched_to_batch_guangxi_picks_members_from_the_member_list(app, client, make_enterprise, switch_rules):
    switch_rules("guangxi", BATCH_GUANGXI)
    _, email = make_enterprise(province="guangxi", office="guangxi")
    login(client, email)
    application_id = start(client)
    page = client.get(f"/apply/{application_id}/members").get_data(as_text=True)
    assert "选择成员" in page and "保存并下一人" not in page
    assert "上传材料" in client.get(f"/apply/{application_id}/materials").get_data(as_text=True)


def test_switched_to_a_group_hebei_fills_each_member_in(app, client, make_enterprise, switch_rules):
    switch_rules("hebei", '[workflow]\napplication_unit = "group"\n')
    _, email = make_enterprise(province="hebei", office="shijiazhuang")
    login(client, email)
    page = client.get(f"/apply/{start(client)}/members").get_data(as_text=True)
    assert "保存并下一人" in page and "选择成员" not in page


def test_switched_to_pay_after_the_mfa_stage_liaoning_asks_for_the_fee(app, scalar, make_enterprise, make_staff,
                                                                       switch_rules):
    """Liaoning checks the 汇款单 it was sent (汇款单确认); paying after approval it asks for the fee
    (待缴费) and the status bar says 缴费."""
    enterprise_id, email = make_enterprise(province="liaoning", office="liaoning")
    make_staff("liaoning.mfa@example.com", province="liaoning", office="mfa")
    remitted = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    put_at_status(app, remitted, "mfa_review", "mfa")
    mfa = staff(app, "liaoning.mfa@example.com")
    assert act(mfa, scalar, remitted, "approve").status_code == 303
    assert status(scalar, remitted) == "payment_review"

    switch_rules("liaoning", '[workflow]\npayment_stage = "after_mfa"\n')
    paying = submitted_application(app, enterprise_id, [add_person(app, enterprise_id, name="林海",
                                                                   id_number="210102199001011234", passport="E12345678")])
    put_at_status(app, paying, "mfa_review", "mfa")
    assert act(mfa, scalar, paying, "approve").status_code == 303
    assert status(scalar, paying) == "awaiting_payment"
    assert scalar(select(Payment.method).where(Payment.application_id == paying)) == "voucher"
    enterprise = app.test_client()
    login(enterprise, email)
    detail = enterprise.get(f"/user-center/applications/{paying}").get_data(as_text=True)
    assert "上传支付凭证" in detail and "汇款单确认" not in detail


def test_switched_to_a_fixed_payment_guangxi_asks_no_payment_method_at_report(app, client, make_enterprise,
                                                                              switch_rules):
    _, email = make_enterprise(province="guangxi", office="guangxi")
    login(client, email)
    application_id = start(client)
    assert "支付方式" in client.get(f"/apply/{application_id}/report").get_data(as_text=True)
    switch_rules("guangxi", '[workflow]\npayment_stage = "voucher_after_approval"\n')
    page = client.get(f"/apply/{application_id}/report").get_data(as_text=True)
    assert "支付方式" not in page and "团组基本信息" in page
    saved = submit(client, f"/apply/{application_id}/report", {
        "method": "self", "purpose": "洽谈业务", "contact_name": "袁媛", "contact_phone": "13456767660",
        "action": "draft"})
    assert saved.status_code == 303, "nothing asks for a 支付方式 that is no choice"


def test_switched_to_invoice_with_voucher_hunan_asks_the_invoice(app, client, scalar, make_enterprise, switch_rules):
    switch_rules("hunan", '[workflow]\npayment_stage = "voucher_after_approval"\n')
    application_id = awaiting_payment(app, client, make_enterprise)
    page = client.get(f"/user-center/applications/{application_id}/pay").get_data(as_text=True)
    assert "<h1>缴费凭证上传</h1>" in page and "不需要发票可不填" not in page


def test_the_default_pickup_is_chosen_beforehand_on_the_pickup_step(app, client, make_enterprise, switch_rules):
    _, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    application_id = start(client)
    assert "checked" not in client.get(f"/apply/{application_id}/pickup").get_data(as_text=True), "Hunan sets none"
    switch_rules("hunan", '[workflow]\ndefault_pickup = "mail"\n')
    page = client.get(f"/apply/{application_id}/pickup").get_data(as_text=True)
    checked = re.findall(r'<input[^>]*\bchecked\b[^>]*>', page)
    assert len(checked) == 1 and 'value="mail"' in checked[0]


def test_without_a_pickup_step_the_default_must_be_self(tmp_path):
    (tmp_path / "hebei.toml").write_text('[workflow]\ndefault_pickup = "mail"\n', encoding="utf-8")
    with pytest.raises(ProvinceConfigError, match="workflow.default_pickup"):
        load_provinces(["hebei"], tmp_path)
