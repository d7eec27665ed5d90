"""用户中心 lists: tabs by business type, search by 申请单号/申请人, status filter, pages."""

import pytest
from sqlalchemy import update

from apec.applications.models import Application, ApplicationMember
from apec.extensions import db

from .conftest import login
from .factories import add_person, start


def make_applications(app, client, enterprise_id, count):
    """`count` applications for two persons; every other one submitted with a number."""
    first = add_person(app, enterprise_id)
    second = add_person(app, enterprise_id, name="单丽娜", id_number="110105199011030028", passport="E26895599")
    ids = []
    for index in range(count):
        application_id = start(client)  # a draft with someone in it, so the next start is a new one
        ids.append(application_id)
        with app.app_context():
            db.session.add(ApplicationMember(application_id=application_id, person_id=first if index % 2 else second))
            if index % 2:
                db.session.execute(update(Application).where(Application.id == application_id).values(
                    status="submitted", number=f"APEC20261129{index:06d}"))
            db.session.commit()
    return ids


def test_search_by_number_and_by_applicant_and_filter_by_status(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    make_applications(app, client, enterprise_id, 4)
    by_number = client.get("/user-center/?q=apec20261129000003").get_data(as_text=True)
    assert "APEC20261129000003" in by_number and "APEC20261129000001" not in by_number
    by_name = client.get("/user-center/?q=单丽娜").get_data(as_text=True)
    assert by_name.count("application-card") == 2 and "APEC2026" not in by_name
    submitted = client.get("/user-center/?status=submitted").get_data(as_text=True)
    assert submitted.count("application-card") == 2
    nothing = client.get("/user-center/?q=不存在的人").get_data(as_text=True)
    assert "暂无申请单" in nothing


def test_htmx_search_returns_only_the_results(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    make_applications(app, client, enterprise_id, 2)
    fragment = client.get("/user-center/?status=submitted", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="results">') and "<html" not in fragment


def test_lists_are_paginated(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    make_applications(app, client, enterprise_id, 12)
    first = client.get("/user-center/").get_data(as_text=True)
    assert first.count("application-card") == 10 and "第 1 / 2 页，共 12 条" in first and "下一页" in first
    second = client.get("/user-center/?page=2").get_data(as_text=True)
    assert second.count("application-card") == 2


def test_other_tabs_do_not_show_new_applications(app, client, make_enterprise):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    make_applications(app, client, enterprise_id, 2)
    for tab in ("early", "replace", "passport", "cancel"):
        assert "暂无申请单" in client.get(f"/user-center/?tab={tab}").get_data(as_text=True), tab
    assert client.get("/user-center/?tab=bogus").status_code == 404


def test_each_row_shows_the_applicants_passport_number_masked(app, client, make_enterprise):
    """Seed 000's list shows 护照号 with each application; never the whole number."""
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    make_applications(app, client, enterprise_id, 1)
    row = client.get("/user-center/?q=单丽娜").get_data(as_text=True)
    row = row[row.index('class="application-card"'):]
    assert "<strong>护照号：</strong>E2*****99" in row[:row.index("</li>")]
    assert "E26895599" not in row


@pytest.mark.parametrize("province, office, has_city", [("hunan", "hunan", False), ("guangxi", "guangxi", False),
                                                        ("hebei", "shijiazhuang", True), ("liaoning", "anshan", True)])
def test_the_status_filter_offers_only_statuses_the_provinces_chain_reaches(client, make_enterprise, province,
                                                                             office, has_city):
    _, email = make_enterprise(province=province, office=office)
    login(client, email)
    page = client.get("/user-center/").get_data(as_text=True)
    assert ('value="city_review"' in page) == has_city
    assert 'value="province_review"' in page and 'value="mfa_review"' in page
