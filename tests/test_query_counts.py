"""Issue 20: each page runs a bounded number of queries, the same with 2 applications or 12, with
one member or five (no query per row or per member), whatever the province holds."""

import contextlib

import pytest
from sqlalchemy import event

from apec.economies import preclearing_economies
from apec.extensions import db

from .conftest import login, submit
from .factories import act, add_person, put_at_status, staff, submitted_application, valid_id

# The most any page may run; a page that needs more has a query per something.
MOST = 16


@contextlib.contextmanager
def counted(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries(app, client, url, data=None):
    with counted(app) as statements:
        response = submit(client, url, data, page=url) if data is not None else client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.fixture
def office(app, client, make_enterprise, make_staff):
    """A Hebei enterprise signed in, the 石家庄 reviewer signed in, and a way to add applications."""
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    make_staff("sjz@example.com", province="hebei", office="shijiazhuang")
    made = []

    def add(count, members=1):
        for _ in range(count):
            index = len(made)
            persons = [add_person(app, enterprise_id, name=f"成员{index}号{k}", passport=f"E{index:04d}{k:04d}",
                                  id_number=valid_id(f"1101051985{index:03d}{k:04d}")) for k in range(members)]
            made.append(submitted_application(app, enterprise_id, persons))
        return made[-1]

    login(client, email)
    return {"add": add, "made": made, "enterprise": client, "reviewer": staff(app, "sjz@example.com")}


LISTS = [("enterprise", "/user-center/"), ("enterprise", "/user-center/?q=成员"),
         ("enterprise", "/user-center/?status=submitted"), ("enterprise", "/user-center/history"),
         ("reviewer", "/staff/"), ("reviewer", "/staff/?status=submitted&type=new"),
         ("reviewer", "/staff/?view=done"), ("enterprise", "/")]


@pytest.mark.parametrize("who,url", LISTS)
def test_a_list_runs_as_many_queries_for_12_applications_as_for_2(app, scalar, office, who, url):
    office["add"](2, members=2)
    act(office["reviewer"], scalar, office["made"][0], "accept")
    act(office["reviewer"], scalar, office["made"][0], "forward")
    few = queries(app, office[who], url)
    office["add"](10, members=3)
    for application_id in office["made"][2:8]:  # more handled by the office, for its 已办
        act(office["reviewer"], scalar, application_id, "accept")
        act(office["reviewer"], scalar, application_id, "forward")
    many = queries(app, office[who], url)
    assert many == few and many <= MOST, f"{url}: {few} queries with 2 applications, {many} with 12"


def test_the_staff_search_runs_as_many_queries_for_12_results_as_for_2(app, office):
    office["add"](2)
    few = queries(app, office["reviewer"], "/staff/search", {"key": "name", "q": "成员"})
    office["add"](10, members=2)
    many = queries(app, office["reviewer"], "/staff/search", {"key": "name", "q": "成员"})
    assert many == few and many <= MOST


def _with_economies(app, application_id):
    """At APEC经济体审核中 with every member's economies decided but the last."""
    from apec.applications.models import Application, EconomyDecision

    put_at_status(app, application_id, "economies_review", "mfa")
    with app.app_context():
        application = db.session.get(Application, application_id)
        for member in application.members:
            for economy in preclearing_economies()[:-1]:
                db.session.add(EconomyDecision(member=member, economy=economy.code, decision="approved",
                                               decided_on=application.submitted_at.date()))
        db.session.commit()


@pytest.mark.parametrize("who", ["enterprise", "mfa"])
def test_a_detail_runs_as_many_queries_for_five_members_as_for_one(app, office, make_staff, who):
    make_staff("mfa@example.com", province="hebei", office="mfa")
    clients = dict(office, mfa=staff(app, "mfa@example.com"))
    single, group = office["add"](1, members=1), office["add"](1, members=5)
    counts = []
    for application_id in (single, group):
        _with_economies(app, application_id)
        url = (f"/user-center/applications/{application_id}" if who == "enterprise"
               else f"/staff/applications/{application_id}")
        counts.append(queries(app, clients[who], url))
    assert counts[0] == counts[1] and counts[1] <= MOST, f"one member: {counts[0]} queries, five: {counts[1]}"
