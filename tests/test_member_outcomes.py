"""M1: each member of a group or batch ends on their own; the card goes to those approved."""

import datetime
import re

from sqlalchemy import select

from apec.applications.models import Application, ApplicationMember, Card, TimelineEvent
from apec.economies import preclearing_economies
from apec.notifications.models import Message

from .conftest import login, submit
from .factories import act, add_person, put_at_status, staff, status, submitted_application, valid_id, version_of

PEOPLE = (("宋文泰", "11010519980515251", "E26895502"), ("林晓", "11010519491231002", "E12345678"),
          ("袁媛", "43010219850101002", "E55667788"))


def _group(app, make_enterprise):
    """A Hunan 新办 of three, submitted; returns its id and the enterprise's e-mail."""
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_ids = [add_person(app, enterprise_id, name=name, id_number=valid_id(body), passport=passport)
                  for name, body, passport in PEOPLE]
    return submitted_application(app, enterprise_id, person_ids), email


def _passport_expired_since_submission(app, member_id):
    from apec.extensions import db

    with app.app_context():
        member = db.session.get(ApplicationMember, member_id)
        yesterday = datetime.date.today() - datetime.timedelta(days=1)
        member.snapshot = dict(member.snapshot, passport_expiry_date=yesterday.isoformat())
        db.session.commit()


def _member_ids(app, application_id) -> dict[str, int]:
    from apec.extensions import db

    with app.app_context():
        application = db.session.get(Application, application_id)
        return {member.shown.name: member.id for member in application.members}


def _decide(mfa, scalar, application_id, decisions: dict[int, str]):
    """Every pre-clearing economy decides each member as given ("approved" / "refused")."""
    today = datetime.date.today().isoformat()
    form = {}
    for member_id, decision in decisions.items():
        for economy in preclearing_economies():
            form[f"decision-{member_id}-{economy.code}"] = decision
            form[f"date-{member_id}-{economy.code}"] = today
    return submit(mfa, f"/staff/applications/{application_id}/economies", form, page="/staff/")


def _outcome(app, member_id):
    from apec.extensions import db

    with app.app_context():
        member = db.session.get(ApplicationMember, member_id)
        return member.outcome, member.outcome_reason


def test_one_member_refused_by_every_economy_does_not_stop_the_others_cards(app, client, scalar, count,
                                                                             make_enterprise, make_staff):
    application_id, email = _group(app, make_enterprise)
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    put_at_status(app, application_id, "economies_review", "mfa")
    members = _member_ids(app, application_id)
    mfa = staff(app, "hunan.mfa@example.com")
    _decide(mfa, scalar, application_id, {members["宋文泰"]: "approved", members["林晓"]: "refused",
                                           members["袁媛"]: "approved"})
    assert status(scalar, application_id) == "economies_done"

    form = mfa.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert f'name="card-{members["林晓"]}"' not in form
    assert "林晓 未获任何经济体批准，不制卡" in form
    response = act(mfa, scalar, application_id, "issue_card", **{
        f"card-{members['宋文泰']}": "APEC10000001", f"card-{members['袁媛']}": "APEC10000002",
        "valid_from": datetime.date.today().isoformat()})
    assert response.status_code == 303
    assert status(scalar, application_id) == "card_ready"
    assert count(Card) == 2
    assert scalar(select(Card.id).where(Card.number == "APEC10000002")) is not None
    assert _outcome(app, members["宋文泰"]) == ("approved", None)
    assert _outcome(app, members["林晓"]) == ("refused", "未获任何经济体批准")

    login(client, email)
    page = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "办理结果" in page and "审核不通过：未获任何经济体批准" in page and page.count("已制卡") >= 2


def test_the_office_refuses_one_member_with_a_reason_and_the_fee_counts_those_left(app, client, scalar,
                                                                                  make_enterprise, make_staff):
    application_id, email = _group(app, make_enterprise)
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    office = staff(app, "hunan.office@example.com")
    assert act(office, scalar, application_id, "accept").status_code == 303
    members = _member_ids(app, application_id)
    fee_before = scalar(select(Application.fee))
    detail = office.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert "该成员审核不通过" in detail

    unconfirmed = submit(office, f"/staff/applications/{application_id}/act", {
        "action": "refuse_member", "member": members["林晓"], "comment": "护照复印件与护照不符",
        "version": version_of(scalar, application_id)}, page="/staff/")
    assert unconfirmed.status_code == 200 and "确定 林晓 审核不通过吗" in unconfirmed.get_data(as_text=True)
    assert _outcome(app, members["林晓"]) == (None, None)

    done = act(office, scalar, application_id, "refuse_member", member=members["林晓"], comment="护照复印件与护照不符")
    assert done.status_code == 303
    assert _outcome(app, members["林晓"]) == ("refused", "护照复印件与护照不符")
    assert status(scalar, application_id) == "province_review"  # the application goes on
    assert scalar(select(Application.fee)) == fee_before // 3 * 2
    assert "林晓：审核不通过，原因：护照复印件与护照不符" in scalar(
        select(TimelineEvent.comment).where(TimelineEvent.action == "member_refused"))
    assert scalar(select(Message.title).where(Message.title.contains("林晓 审核不通过"))) is not None

    login(client, email)
    page = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "审核不通过：护照复印件与护照不符" in page
    assert f"¥ {fee_before // 3 * 2}（{fee_before // 3} × 2 人）" in page


def test_a_refusal_needs_a_reason_and_changes_nothing_without_one(app, scalar, make_enterprise, make_staff):
    application_id, _ = _group(app, make_enterprise)
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    office = staff(app, "hunan.office@example.com")
    members = _member_ids(app, application_id)
    response = act(office, scalar, application_id, "refuse_member", member=members["林晓"], comment=" ")
    assert response.status_code == 422 and "请填写该成员审核不通过的意见或原因" in response.get_data(as_text=True)
    assert _outcome(app, members["林晓"]) == (None, None)


def test_the_enterprise_withdraws_one_member_and_the_economies_complete_for_those_left(
        app, client, scalar, make_enterprise, make_staff):
    application_id, email = _group(app, make_enterprise)
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    put_at_status(app, application_id, "economies_review", "mfa")
    members = _member_ids(app, application_id)
    mfa = staff(app, "hunan.mfa@example.com")
    _decide(mfa, scalar, application_id, {members["宋文泰"]: "approved", members["袁媛"]: "approved"})
    assert status(scalar, application_id) == "economies_review"  # 林晓 is still awaited

    login(client, email)
    page = client.get(f"/user-center/applications/{application_id}").get_data(as_text=True)
    assert "撤回该成员" in page
    url = f"/apply/{application_id}/members/{members['林晓']}/withdraw"
    confirm = client.get(url).get_data(as_text=True)
    assert "确定撤回 林晓 的申请吗" in confirm
    response = submit(client, url, {"reason": "已离职", "version": version_of(scalar, application_id)}, page=url)
    assert response.status_code == 303
    assert _outcome(app, members["林晓"]) == ("withdrawn", "已离职")
    assert status(scalar, application_id) == "economies_done"
    assert scalar(select(Message.body).where(Message.title.contains("企业撤回成员"))).startswith("林晓：已撤回")


def test_an_expired_passport_names_the_member_and_refusing_them_lets_the_others_cards_through(
        app, scalar, make_enterprise, make_staff):
    application_id, _ = _group(app, make_enterprise)
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    put_at_status(app, application_id, "economies_review", "mfa")
    members = _member_ids(app, application_id)
    _passport_expired_since_submission(app, members["林晓"])
    mfa = staff(app, "hunan.mfa@example.com")
    _decide(mfa, scalar, application_id, {member_id: "approved" for member_id in members.values()})
    cards = {f"card-{members['宋文泰']}": "APEC20000001", f"card-{members['林晓']}": "APEC20000002",
             f"card-{members['袁媛']}": "APEC20000003", "valid_from": datetime.date.today().isoformat()}
    refused = act(mfa, scalar, application_id, "issue_card", **cards)
    assert refused.status_code == 422 and "林晓 的护照已过期，不能制卡" in refused.get_data(as_text=True)
    assert scalar(select(Card.id)) is None

    assert act(mfa, scalar, application_id, "refuse_member", member=members["林晓"], comment="护照已过期").status_code == 303
    del cards[f"card-{members['林晓']}"]
    assert act(mfa, scalar, application_id, "issue_card", **cards).status_code == 303
    assert status(scalar, application_id) == "card_ready"


def test_the_last_member_in_progress_cannot_be_ended_alone(app, client, scalar, make_enterprise, make_staff):
    application_id, email = _group(app, make_enterprise)
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    office = staff(app, "hunan.office@example.com")
    members = _member_ids(app, application_id)
    assert act(office, scalar, application_id, "refuse_member", member=members["林晓"], comment="不符").status_code == 303
    assert act(office, scalar, application_id, "refuse_member", member=members["袁媛"], comment="不符").status_code == 303
    detail = office.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    assert "该成员审核不通过" not in detail.split("<h2>办理</h2>")[1].split("</div>")[0]
    last = act(office, scalar, application_id, "refuse_member", member=members["宋文泰"], comment="不符")
    assert last.status_code == 409 and "只有一位办理中的成员" in last.get_data(as_text=True)
    assert _outcome(app, members["宋文泰"]) == (None, None)

    login(client, email)
    assert client.get(f"/apply/{application_id}/members/{members['宋文泰']}/withdraw").status_code == 409
    assert client.get(f"/apply/{application_id}/members/{members['林晓']}/withdraw").status_code == 404  # already ended


def test_another_enterprise_cannot_withdraw_a_member(app, client, scalar, make_enterprise):
    application_id, _ = _group(app, make_enterprise)
    members = _member_ids(app, application_id)
    _, other = make_enterprise(province="hunan", office="hunan", email="other@example.com")
    login(client, other)
    assert client.get(f"/apply/{application_id}/members/{members['林晓']}/withdraw").status_code == 404
    response = client.post(f"/apply/{application_id}/members/{members['林晓']}/withdraw", data={"reason": "x"})
    assert response.status_code in (400, 404)
    assert _outcome(app, members["林晓"]) == (None, None)


def test_a_member_refused_on_their_own_can_be_applied_for_again(app, scalar, make_enterprise, make_staff):
    from apec.applications.eligibility import open_application
    from apec.enterprises.models import Person
    from apec.extensions import db

    application_id, _ = _group(app, make_enterprise)
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    office = staff(app, "hunan.office@example.com")
    members = _member_ids(app, application_id)
    assert act(office, scalar, application_id, "refuse_member", member=members["林晓"], comment="不符").status_code == 303
    with app.app_context():
        refused = db.session.get(ApplicationMember, members["林晓"]).person
        going_on = db.session.get(ApplicationMember, members["袁媛"]).person
        fresh = Application(id=0)
        assert open_application(refused, fresh) is None
        assert open_application(going_on, fresh).id == application_id
        assert isinstance(refused, Person)


def test_browser_the_office_refuses_one_member_the_enterprise_withdraws_another_and_the_last_gets_the_card(
        app, make_enterprise, make_staff, signed_in):
    """As staff and enterprise use it, with JavaScript and without: 该成员审核不通过 with its
    confirmation, 撤回该成员 with its page, 全部获批 and 制卡 for the one left."""
    from playwright.sync_api import expect

    from .test_browser_review import open_action

    enterprise_id, email = make_enterprise(province="hunan", office="hunan", name="湖南远航贸易有限公司")
    person_ids = [add_person(app, enterprise_id, name=name, id_number=valid_id(body), passport=passport)
                  for name, body, passport in PEOPLE]
    application_id = submitted_application(app, enterprise_id, person_ids)
    put_at_status(app, application_id, "economies_review", "mfa")
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")

    mfa = signed_in("hunan.mfa@example.com", tab="staff")
    mfa.goto(f"/staff/applications/{application_id}")
    form = open_action(mfa, "该成员审核不通过")
    form.get_by_label("成员").select_option(label="林晓")
    form.get_by_label("原因").fill("护照复印件不清晰")
    form.get_by_role("button", name="下一步：确认该成员审核不通过").click()
    expect(mfa.get_by_text("确定 林晓 审核不通过吗")).to_be_visible()
    mfa.get_by_role("button", name="确定该成员审核不通过").click()
    expect(mfa.get_by_text("林晓 审核不通过，已记录")).to_be_visible()

    enterprise = signed_in(email)
    enterprise.goto(f"/user-center/applications/{application_id}")
    expect(enterprise.get_by_role("cell", name="审核不通过：护照复印件不清晰")).to_be_visible()
    enterprise.get_by_role("row", name=re.compile("袁媛")).get_by_role("link", name="撤回该成员").click()
    enterprise.get_by_label("撤回原因（可选）").fill("已离职")
    enterprise.get_by_role("button", name="确定撤回该成员").click()
    expect(enterprise.get_by_role("cell", name="已撤回：已离职")).to_be_visible()
    expect(enterprise.get_by_role("link", name="撤回该成员")).to_have_count(0)  # one left: not alone

    mfa.goto(f"/staff/applications/{application_id}")
    bulk = open_action(mfa, "全部获批")
    expect(bulk.get_by_label("宋文泰")).to_be_checked()
    expect(bulk.get_by_label("林晓")).to_have_count(0)
    bulk.get_by_role("button", name="确定全部获批").click()
    card = open_action(mfa, "制卡")
    expect(card.get_by_label("林晓 的卡号")).to_have_count(0)
    card.get_by_label("宋文泰 的卡号").fill("APEC30000001")
    card.get_by_role("button", name="确定制卡").click()
    expect(mfa.get_by_text("已制卡：")).to_be_visible()

    enterprise.goto(f"/user-center/applications/{application_id}")
    expect(enterprise.get_by_role("row", name=re.compile("宋文泰")).get_by_role("cell", name="已制卡")).to_be_visible()
    expect(enterprise.get_by_role("cell", name="APEC30000001")).to_be_visible()
