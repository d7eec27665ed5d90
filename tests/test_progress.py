"""订单详情's status bar follows the path the application actually takes: its province's chain from
the enterprise's office, its payment stage and its pickup; done, current or still to come."""

import re

import pytest
from sqlalchemy import select

from apec.accounts.models import User
from apec.applications.models import Application
from apec.applications.workflow import transition
from apec.extensions import db
from apec.provinces.registry import get_province
from apec.statuses import STATUS_LABELS

from .conftest import login
from .factories import add_person, put_at_status, submitted_application

STEP_RE = re.compile(r'<li class="(done|current|to-come|stopped)"[^>]*>([^<]+)')
AT_MFA = {"mfa_review", "awaiting_payment", "payment_review", "economies_review", "economies_review_early_made",
          "economies_done", "economies_done_early_made"}
PROVINCES = [("hunan", "hunan"), ("guangxi", "guangxi"), ("hebei", "shijiazhuang"), ("liaoning", "jinzhou"),
             ("liaoning", "shenyang")]


@pytest.fixture
def applying(app, client, make_enterprise):
    def begin(province, office, pickup="self"):
        enterprise_id, email = make_enterprise(province=province, office=office)
        application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)], pickup=pickup)
        login(client, email)
        return application_id

    return begin


def steps(client, application_id) -> list[tuple[str, str]]:
    html = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    bar = html[html.index('aria-label="办理进度"'):]
    return [(label.strip(), state) for state, label in STEP_RE.findall(bar[:bar.index("</ol>")])]


def office_name(app, province, code) -> str:
    with app.app_context():
        return get_province(province).office(code).name


def office_at(app, province, office, status) -> str:
    """The office an application of an enterprise at `office` is with at `status`."""
    with app.app_context():
        path = get_province(province).review_path(office)
    if status in AT_MFA:
        return path[-1]
    if status == "province_review":
        return path[1]
    return path[0]


@pytest.mark.parametrize("province, office", PROVINCES)
@pytest.mark.parametrize("status", [code for code in STATUS_LABELS if code not in ("rejected", "card_cancelled")])
def test_one_step_is_current_and_every_step_before_it_is_done(app, client, applying, province, office, status):
    application_id = applying(province, office)
    put_at_status(app, application_id, status, office_at(app, province, office, status))
    states = [state for _, state in steps(client, application_id)]
    if status in ("picked_up", "mailed"):
        assert set(states) == {"done"}
        return
    assert states.count("current") == 1, (status, states)
    here = states.index("current")
    assert set(states[:here]) <= {"done"} and set(states[here + 1:]) <= {"to-come"}, (status, states)


def test_hunan_at_awaiting_payment_has_the_offices_done_and_payment_current(app, client, applying):
    application_id = applying("hunan", "hunan")
    put_at_status(app, application_id, "awaiting_payment", "mfa")
    assert steps(client, application_id) == [
        ("提交申请", "done"), (f"{office_name(app, 'hunan', 'hunan')}审核", "done"),
        (f"{office_name(app, 'hunan', 'mfa')}审核", "done"), ("缴费", "current"), ("APEC经济体审核", "to-come"),
        ("制卡", "to-come"), ("待自取", "to-come"),
    ]


def test_liaoning_checks_the_remittance_and_shows_no_payment_step_it_never_takes(app, client, applying):
    application_id = applying("liaoning", "jinzhou")
    put_at_status(app, application_id, "payment_review", "mfa")
    shown = steps(client, application_id)
    assert ("汇款单确认", "current") in shown and all(label != "缴费" for label, _ in shown)
    assert [label for label, _ in shown][1:4] == [
        f"{office_name(app, 'liaoning', code)}审核" for code in ("jinzhou", "liaoning", "mfa")]


def test_shenyang_reports_straight_to_the_mfa(app, client, applying):
    application_id = applying("liaoning", "shenyang")
    put_at_status(app, application_id, "submitted", "shenyang")
    labels = [label for label, _ in steps(client, application_id)]
    assert labels[1:3] == [f"{office_name(app, 'liaoning', code)}审核" for code in ("shenyang", "mfa")]


def test_hebei_at_the_province_office_has_the_city_done(app, client, applying):
    application_id = applying("hebei", "shijiazhuang")
    put_at_status(app, application_id, "province_review", "hebei")
    shown = steps(client, application_id)
    assert shown[1] == (f"{office_name(app, 'hebei', 'shijiazhuang')}审核", "done")
    assert shown[2] == (f"{office_name(app, 'hebei', 'hebei')}审核", "current")


def test_a_refused_application_stops_where_it_was_refused(app, client, applying, make_staff):
    application_id = applying("hebei", "shijiazhuang")
    make_staff("city@example.com", province="hebei", office="shijiazhuang")
    make_staff("province@example.com", province="hebei", office="hebei")
    with app.app_context():
        def by(email):
            return db.session.scalar(select(User).where(User.email == email))

        transition(db.session.get(Application, application_id), "accept", by("city@example.com"))
        transition(db.session.get(Application, application_id), "forward", by("city@example.com"))
        transition(db.session.get(Application, application_id), "reject", by("province@example.com"),
                   comment="不符合申报条件")
    shown = steps(client, application_id)
    assert shown[1][1] == "done" and shown[2] == (f"{office_name(app, 'hebei', 'hebei')}审核", "stopped")
    assert all(state == "to-come" for _, state in shown[3:])


def test_a_mailed_card_ends_the_bar_with_yi_you_ji(app, client, applying):
    application_id = applying("guangxi", "guangxi", pickup="mail")
    put_at_status(app, application_id, "mailed", "guangxi")
    assert steps(client, application_id)[-1] == ("已邮寄", "done")
