"""Browser: 订单详情's 办理进度 in each province, as the enterprise sees it at every status of the
path its application takes: the step it is at is current, every step before it done, the rest to
come. APEC_SCREENSHOTS=<folder> keeps a screenshot of the bar at each status, to look at."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apec.extensions import db
from apec.provinces.registry import get_province

from .factories import add_person, put_at_status, submitted_application

STAGE_STATUS = {"city": "city_review", "province": "province_review", "mfa": "mfa_review"}


def path_of(province_code, office):
    """The statuses this application passes through and, for each, the office it is at and the
    step the bar marks current (None once the card is handed over)."""
    province = get_province(province_code)
    offices = province.review_path(office)
    names = {code: f"{province.office(code).name}审核" for code in offices}
    stops = [("submitted", offices[0], names[offices[0]])]
    stops += [(STAGE_STATUS[province.office(code).stage], code, names[code]) for code in offices]
    payment = province.payment.step_label
    if not province.payment.voucher_at_submission:
        stops.append(("awaiting_payment", offices[-1], payment))
    stops += [("payment_review", offices[-1], payment), ("economies_review", offices[-1], "APEC经济体审核"),
              ("economies_done", offices[-1], "制卡"), ("card_ready", offices[0], "待自取"),
              ("picked_up", offices[0], None)]
    return stops, list(names.values())


@pytest.mark.parametrize("province, office", [("hunan", "hunan"), ("guangxi", "guangxi"), ("hebei", "handan"),
                                              ("liaoning", "jinzhou"), ("liaoning", "shenyang")])
def test_the_status_bar_follows_the_provinces_path_at_every_status(app, signed_in, make_enterprise, province, office):
    enterprise_id, email = make_enterprise(province=province, office=office)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    with app.app_context():
        stops, office_steps = path_of(province, office)
        db.session.remove()
    page = signed_in(email)
    bar = page.get_by_role("list", name="办理进度")
    shots = os.environ.get("APEC_SCREENSHOTS")
    for status, at, current in stops:
        put_at_status(app, application_id, status, at)
        page.goto(f"/user-center/applications/{application_id}")
        items = bar.get_by_role("listitem")
        labels = [text.split("（")[0].strip() for text in items.all_inner_texts()]
        if current is None:
            expect(bar.locator('[aria-current="step"]')).to_have_count(0)
            expect(items.filter(has_text="已自取")).to_contain_text("已完成")
        else:
            expect(bar.locator('[aria-current="step"]')).to_have_text(current)
            here = labels.index(current)
            for label in labels[:here]:
                expect(items.filter(has_text=label)).to_contain_text("已完成")
            for label in labels[here + 1:]:
                expect(items.filter(has_text=label)).not_to_contain_text("已完成")
        assert [label for label in labels if label.endswith("审核") and label != "APEC经济体审核"] == office_steps
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            bar.screenshot(path=f"{shots}/{province}-{office}-{status}.png")
