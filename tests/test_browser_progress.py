"""Browser: 订单详情's 办理进度 in each province, as the enterprise sees it at the payment step and
once the card is ready: the offices passed are done, the step it is at is current."""

import pytest
from playwright.sync_api import expect

from apec.extensions import db
from apec.provinces.registry import get_province

from .factories import add_person, put_at_status, submitted_application

PAYMENT_AT = {"hunan": ("awaiting_payment", "缴费"), "guangxi": ("awaiting_payment", "缴费"),
              "hebei": ("awaiting_payment", "缴费"), "liaoning": ("payment_review", "汇款单确认")}


@pytest.mark.parametrize("province, office", [("hunan", "hunan"), ("guangxi", "guangxi"), ("hebei", "handan"),
                                              ("liaoning", "jinzhou")])
def test_the_status_bar_follows_the_provinces_path(app, signed_in, make_enterprise, province, office):
    enterprise_id, email = make_enterprise(province=province, office=office)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    with app.app_context():
        names = [get_province(province).office(code).name for code in get_province(province).review_path(office)]
        db.session.remove()
    page = signed_in(email)
    status, payment_step = PAYMENT_AT[province]
    put_at_status(app, application_id, status, "mfa")
    page.goto(f"/user-center/applications/{application_id}")
    bar = page.get_by_role("list", name="办理进度")
    expect(bar.locator('[aria-current="step"]')).to_have_text(payment_step)
    for name in names:
        expect(bar.get_by_role("listitem").filter(has_text=f"{name}审核")).to_contain_text("已完成")
    put_at_status(app, application_id, "card_ready", office)
    page.reload()
    expect(bar.locator('[aria-current="step"]')).to_have_text("待自取")
    expect(bar.get_by_role("listitem").filter(has_text="制卡")).to_contain_text("已完成")
