"""下载模板: prefilled PDFs with the application's data, in Chinese, only for the owner."""

import shutil
import subprocess

import pytest
from sqlalchemy import select

from apec.applications.models import ApplicationMember

from .conftest import login
from .factories import start
from .factories import member_page, save_member


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    assert shutil.which("pdftotext"), "make test installs poppler-utils"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def guangxi_member(app, client, scalar, make_enterprise):
    enterprise_id, email = make_enterprise(province="guangxi", office="guangxi", ownership="private",
                                           name="广西北部湾测试有限公司")
    login(client, email)
    application_id = start(client)
    save_member(client, application_id, "draft")
    member_id = scalar(select(ApplicationMember.id))
    return application_id, member_id, email


def test_personal_form_is_prefilled_for_the_member(client, tmp_path, guangxi_member):
    application_id, member_id, _ = guangxi_member
    page = client.get(member_page(application_id, member_id)).get_data(as_text=True)
    assert "下载《APEC商务旅行卡个人事项表》" in page
    response = client.get(f"/documents/{application_id}/personal_form.pdf?member={member_id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.data, tmp_path)
    assert "APEC商务旅行卡个人事项表" in text and "黄振宁" in text and "E45010311" in text
    assert "广西北部湾测试有限公司" in text


def test_application_letter_lists_the_group(client, tmp_path, guangxi_member):
    application_id, _, _ = guangxi_member
    text = pdf_text(client.get(f"/documents/{application_id}/application_letter.pdf").data, tmp_path)
    assert "APEC商务旅行卡申请函" in text and "黄振宁" in text and "广西壮族自治区外事办公室" in text


def test_documents_are_404_for_others_and_for_templates_the_province_does_not_use(app, client, guangxi_member,
                                                                                  make_enterprise):
    application_id, member_id, _ = guangxi_member
    assert client.get(f"/documents/{application_id}/enterprise_letter.pdf").status_code == 404, "Liaoning's, not Guangxi's"
    assert client.get(f"/documents/{application_id}/nonsense.pdf").status_code == 404
    other = app.test_client()
    _, email = make_enterprise(province="guangxi", office="guangxi")
    login(other, email)
    assert other.get(f"/documents/{application_id}/personal_form.pdf?member={member_id}").status_code == 404


def test_liaonings_payment_notice_asks_for_no_upload_its_remittance_went_with_the_application(
        app, client, make_enterprise, tmp_path):
    from .factories import add_person, put_at_status, submitted_application

    enterprise_id, email = make_enterprise(province="liaoning", office="anshan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    put_at_status(app, application_id, "payment_review", "mfa", payment_method="remittance")
    login(client, email)
    text = pdf_text(client.get(f"/documents/{application_id}/payment-notice.pdf").data, tmp_path)
    assert "制卡费已随申请以汇款单缴纳" in text.replace("\n", "").replace(" ", "")
    assert "上传" not in text and "开票信息" not in text
