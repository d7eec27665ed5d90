"""Browser: 订单详情's 申请单条码 (seed 000) scans back to the application number, in each province,
for a 新办 and for a related business (whose number carries -01-…)."""

import io

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from apec.applications.models import Application

from .factories import add_person, put_at_status, submit_related, submitted_application
from .test_related import decide, start

OFFICES = {"hunan": "hunan", "guangxi": "guangxi", "hebei": "shijiazhuang", "liaoning": "anshan"}


def scanned(page) -> list[str]:
    """What a scanner reads off the barcode as the browser draws it."""
    picture = Image.open(io.BytesIO(page.get_by_role("img", name="申请单条码").screenshot()))
    return [result.text for result in zxingcpp.read_barcodes(picture)]


@pytest.mark.parametrize("province", list(OFFICES))
def test_the_barcode_on_the_detail_page_reads_back_as_the_number(app, signed_in, make_enterprise, scalar, province):
    enterprise_id, email = make_enterprise(province=province, office=OFFICES[province])
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    number = scalar(select(Application.number).where(Application.id == application_id))
    page = signed_in(email)
    page.goto(f"/user-center/applications/{application_id}")
    expect(page.get_by_text("申请单条码")).to_be_visible()
    assert scanned(page) == [number]


def test_a_related_business_number_reads_back_too(app, signed_in, make_enterprise, scalar):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    decide(app, parent_id, approved=3)
    put_at_status(app, parent_id, "economies_review", "mfa")
    number = submit_related(app, start(app, parent_id, email, "early"), email)
    related_id = scalar(select(Application.id).where(Application.number == number))
    page = signed_in(email)
    page.goto(f"/user-center/applications/{related_id}")
    assert scanned(page) == [number] and "-01-tq" in number
