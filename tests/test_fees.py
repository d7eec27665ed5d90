"""The fee at submission: 720 元 a person for the businesses that make a card, nothing for
未制卡仅更换护照 and 注销卡 (DESIGN.md section 3), from the province's fee setting."""

import datetime

import pytest
from sqlalchemy import select

from apec.applications.models import Application

from .factories import add_card, add_person, submitted_application


@pytest.mark.parametrize("business_type, per_person", [
    ("new", 720), ("renew", 720), ("early", 720), ("replace", 720), ("passport", 0), ("cancel", 0),
])
def test_fee_per_person_by_business(app, scalar, make_enterprise, business_type, per_person):
    enterprise_id, _ = make_enterprise(province="hebei", office="shijiazhuang")
    people = [add_person(app, enterprise_id),
              add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")]
    if business_type == "renew":  # 续办 is for card holders whose card runs out soon
        for person_id in people:
            add_card(app, person_id, valid_to=datetime.date.today() + datetime.timedelta(days=90))
    application_id = submitted_application(app, enterprise_id, people, business_type=business_type)
    assert scalar(select(Application.fee).where(Application.id == application_id)) == per_person * 2
