"""缴费凭证上传 is one step: the voucher is kept only when the payment is taken, so a refused
payment (an out-of-date page, a file that fails its checks) leaves no file behind."""

import io

from sqlalchemy import func, select

from apec.applications.models import Application, Payment
from apec.audit import AuditLog
from apec.materials.models import Material

from .conftest import submit
from .factories import NOT_A_PDF, PDF, awaiting_payment

INVOICE = {"invoice_title": "湖南测试企业有限公司", "invoice_tax_number": "91430100MA4L2X3K8X"}


def pay(client, application_id, version, data=PDF):
    return submit(client, f"/user-center/applications/{application_id}/pay",
                  dict(INVOICE, version=version, voucher=(io.BytesIO(data), "回单.pdf")),
                  content_type="multipart/form-data")


def vouchers(scalar):
    """Hunan's payment stage (after_mfa) calls the proof of payment 支付凭证 (seed 000)."""
    return scalar(select(func.count()).select_from(Material).where(Material.title == "支付凭证"))


def uploads_audited(scalar):
    return scalar(select(func.count()).select_from(AuditLog).where(AuditLog.event == "material_uploaded"))


def test_a_payment_from_an_out_of_date_page_keeps_no_voucher(app, client, scalar, make_enterprise):
    application_id = awaiting_payment(app, client, make_enterprise)
    refused = pay(client, application_id, version=999)
    assert refused.status_code == 409 and "已被更新" in refused.get_data(as_text=True)
    assert vouchers(scalar) == 0
    assert scalar(select(Application.status).where(Application.id == application_id)) == "awaiting_payment"
    assert scalar(select(Payment.status)) == "pending"


def test_a_voucher_that_fails_its_checks_changes_nothing(app, client, scalar, make_enterprise):
    application_id = awaiting_payment(app, client, make_enterprise)
    version = scalar(select(Application.version).where(Application.id == application_id))
    refused = pay(client, application_id, version, data=NOT_A_PDF)
    assert refused.status_code == 422 and "格式" in refused.get_data(as_text=True)
    assert vouchers(scalar) == 0 and scalar(select(Payment.status)) == "pending"


def test_a_payment_taken_keeps_its_voucher(app, client, scalar, make_enterprise):
    application_id = awaiting_payment(app, client, make_enterprise)
    version = scalar(select(Application.version).where(Application.id == application_id))
    audited_before = uploads_audited(scalar)
    assert pay(client, application_id, version).status_code == 303
    assert vouchers(scalar) == 1
    assert scalar(select(Payment.voucher_material_id)) == scalar(select(Material.id).where(Material.title == "支付凭证"))
    assert scalar(select(Application.status).where(Application.id == application_id)) == "payment_review"
    assert uploads_audited(scalar) == audited_before + 1, "the voucher's upload is in the audit log"


def test_hunan_asks_the_invoice_with_its_voucher_only_if_one_is_wanted(app, client, scalar, make_enterprise):
    application_id = awaiting_payment(app, client, make_enterprise)
    page = client.get(f"/user-center/applications/{application_id}/pay").get_data(as_text=True)
    assert "<h1>支付凭证上传</h1>" in page and "不需要发票可不填" in page
    version = scalar(select(Application.version).where(Application.id == application_id))
    paid = submit(client, f"/user-center/applications/{application_id}/pay",
                  {"version": version, "voucher": (io.BytesIO(PDF), "回单.pdf")}, content_type="multipart/form-data")
    assert paid.status_code == 303 and scalar(select(Payment.status)) == "submitted"
    assert scalar(select(Payment.invoice)) is None


def test_hebei_asks_the_invoice_with_its_voucher(app, client, scalar, make_enterprise):
    """Seed 003, 1.3: "填写开票信息和上传缴费凭证图片即可" (payment_stage voucher_after_approval)."""
    application_id = awaiting_payment(app, client, make_enterprise, province="hebei", office="shijiazhuang")
    page = client.get(f"/user-center/applications/{application_id}/pay").get_data(as_text=True)
    assert "<h1>缴费凭证上传</h1>" in page and "不需要发票可不填" not in page
    version = scalar(select(Application.version).where(Application.id == application_id))
    refused = submit(client, f"/user-center/applications/{application_id}/pay",
                     {"version": version, "voucher": (io.BytesIO(PDF), "回单.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "请选择或填写开票信息" in refused.get_data(as_text=True)
    assert "所选文件“回单.pdf”尚未上传" in refused.get_data(as_text=True), "the browser does not keep the file"
    assert scalar(select(Payment.status)) == "pending"
    assert scalar(select(func.count()).select_from(Material).where(Material.title == "缴费凭证")) == 0
