"""For every application route and every role: only the right enterprise or office gets anything
but a 404."""

import pytest
from sqlalchemy import select

from apec.accounts.services import create_handler
from apec.enterprises.models import Enterprise
from apec.extensions import db
from apec.materials.models import Material

from .conftest import DEMO_PASSWORD, login, submit
from .factories import add_person, submitted_application
from .factories import status

USERS = {
    # who: (email, login tab)
    "owner_admin": ("owner@example.com", "enterprise"),
    "owner_handler": ("owner.handler@example.com", "handler"),
    "other_enterprise": ("other@example.com", "enterprise"),
    "reviewer_here": ("sjz@example.com", "staff"),
    "reviewer_other_city": ("bd@example.com", "staff"),
    "reviewer_next_stage": ("hb@example.com", "staff"),
    "reviewer_mfa": ("mfa@example.com", "staff"),
    "admin_same_province": ("admin.hebei@example.com", "staff"),
    "admin_other_province": ("admin.hunan@example.com", "staff"),
}
OWNERS = {"owner_admin", "owner_handler"}


@pytest.fixture
def world(app, make_enterprise, make_staff):
    enterprise_id, _ = make_enterprise(province="hebei", office="shijiazhuang", email="owner@example.com")
    make_enterprise(province="hebei", office="shijiazhuang", email="other@example.com")
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        create_handler(enterprise, name="经办", email="owner.handler@example.com", mobile="13800000009",
                       password=DEMO_PASSWORD, actor=enterprise.users[0])
    for email, office in (("sjz@example.com", "shijiazhuang"), ("bd@example.com", "baoding"),
                          ("hb@example.com", "hebei"), ("mfa@example.com", "mfa")):
        make_staff(email, province="hebei", office=office)
    make_staff("admin.hebei@example.com", role="province_admin", province="hebei", office=None)
    make_staff("admin.hunan@example.com", role="province_admin", province="hunan", office=None)
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    with app.app_context():
        material_id = db.session.scalar(select(Material.id).where(Material.application_id == application_id))
    clients = {}
    for who, (email, tab) in USERS.items():
        clients[who] = app.test_client()
        assert login(clients[who], email, tab=tab).status_code == 303, who
    return {"id": application_id, "material": material_id, "clients": clients}


ROUTES = [
    # (path template, who may reach it)
    ("/user-center/applications/{id}", OWNERS),
    ("/apply/{id}/form", OWNERS),
    ("/apply/{id}/confirm", OWNERS),
    ("/user-center/applications/{id}/pay", OWNERS),
    # The province office oversees the cities' backlogs (各市待办) and reads what they hold.
    ("/staff/applications/{id}", {"reviewer_here", "reviewer_next_stage"}),
    ("/materials/{material}/download", OWNERS | {"reviewer_here", "reviewer_next_stage", "admin_same_province"}),
    ("/materials/{material}/preview", OWNERS | {"reviewer_here", "reviewer_next_stage", "admin_same_province"}),
    ("/materials/{material}/file", OWNERS | {"reviewer_here", "reviewer_next_stage", "admin_same_province"}),
]


@pytest.mark.parametrize("path, allowed", ROUTES)
def test_get_routes_answer_404_to_everyone_else(world, path, allowed):
    url = path.format(id=world["id"], material=world["material"])
    for who, client in world["clients"].items():
        code = client.get(url).status_code
        if who in allowed:
            assert code != 404, f"{who} should reach {url}"
        else:
            assert code == 404, f"{who} got {code} for {url}"


def landing(who):
    if who in OWNERS | {"other_enterprise"}:
        return "/user-center/"
    return "/staff/" if who.startswith("reviewer") else "/admin/"


def test_only_the_office_holding_it_may_act_on_it(world, scalar):
    url = f"/staff/applications/{world['id']}/act"
    for who, client in world["clients"].items():
        if who == "reviewer_here":
            continue
        response = submit(client, url, {"action": "accept"}, page=landing(who))
        assert response.status_code == 404, who
        economies = submit(client, f"/staff/applications/{world['id']}/economies", {}, page=landing(who))
        assert economies.status_code == 404, who
    assert status(scalar, world["id"]) == "submitted", "nobody else changed anything"
    response = submit(world["clients"]["reviewer_here"], url, {"action": "accept"}, page="/staff/")
    assert response.status_code == 303
    assert status(scalar, world["id"]) == "city_review"
    # Once forwarded, the city office may still read it but no longer act on it.
    submit(world["clients"]["reviewer_here"], url, {"action": "forward"}, page="/staff/")
    assert world["clients"]["reviewer_here"].get(f"/staff/applications/{world['id']}").status_code == 200
    late = submit(world["clients"]["reviewer_here"], url, {"action": "return", "comment": "x"}, page="/staff/")
    assert late.status_code == 404
    assert world["clients"]["reviewer_next_stage"].get(f"/staff/applications/{world['id']}").status_code == 200
    assert status(scalar, world["id"]) == "province_review"


def test_enterprise_posts_on_another_enterprises_application_are_404(world, scalar):
    other = world["clients"]["other_enterprise"]
    for path in (f"/apply/{world['id']}/withdraw", f"/apply/{world['id']}/submit", f"/apply/{world['id']}/files",
                 f"/user-center/applications/{world['id']}/pay"):
        assert submit(other, path, {}, page="/user-center/").status_code == 404, path
    assert status(scalar, world["id"]) == "submitted"
