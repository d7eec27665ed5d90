"""Issue 19, H1: one person, one card across the whole instance. A person is their ID number
(its blind index), whichever enterprise entered them: another enterprise's valid card or open
application refuses a new one, naming its status but nothing of that enterprise; two enterprises
submitting the same person at once cannot both pass."""

import datetime

import pytest
from sqlalchemy import func, select

from apec.accounts.models import User
from apec.applications.models import Application
from apec.applications.workflow import WorkflowError, transition
from apec.extensions import db

from .factories import add_card, add_person, ready_application, submitted_application
from .test_concurrency import run_in_threads, submitting

ID_NUMBER = "110105199805152516"


@pytest.fixture
def two_enterprises(app, make_enterprise):
    """Enterprise A (Hebei) and enterprise B (Hunan, another province of the same instance), each
    with 宋文泰 entered under the same ID number: {"a": (enterprise_id, person_id), "b": …}."""
    a, _ = make_enterprise(province="hebei", office="shijiazhuang", name="甲方贸易有限公司")
    b, _ = make_enterprise(province="hunan", office="hunan", name="乙方科技有限公司")
    return {"a": (a, add_person(app, a, id_number=ID_NUMBER, passport="E26895502")),
            "b": (b, add_person(app, b, id_number=ID_NUMBER, passport="E99887766"))}


def submit_refused(app, application_id) -> str:
    with app.app_context():
        application = db.session.get(Application, application_id)
        with pytest.raises(WorkflowError) as refused:
            transition(application, "submit", db.session.get(User, application.created_by_id))
        assert db.session.get(Application, application_id).status == "draft", "nothing submitted"
        return " ".join(refused.value.problems)


def test_another_enterprises_valid_card_refuses_a_new_one(app, two_enterprises):
    (a, person_a), (b, person_b) = two_enterprises["a"], two_enterprises["b"]
    draft = ready_application(app, b, [person_b])  # chosen before A's card was made
    add_card(app, person_a, valid_to=datetime.date.today() + datetime.timedelta(days=700))
    refusal = submit_refused(app, draft)
    assert "宋文泰 已持有其他单位申办的有效 APEC 卡，不能在本单位新办" in refusal
    assert "甲方" not in refusal and f"APEC{person_a:08d}" not in refusal, "nothing of enterprise A is told"

    from apec.applications import drafts
    from apec.enterprises.models import Enterprise, Person

    with app.app_context():  # and a new draft cannot take them as its applicant
        enterprise = db.session.get(Enterprise, b)
        fresh = drafts.start_application(enterprise, enterprise.users[0], "new")
        with pytest.raises(drafts.DraftError, match="已持有其他单位申办的有效 APEC 卡"):
            drafts.add_member(fresh, db.session.get(Person, person_b))


def test_another_enterprises_open_application_refuses_a_second_one(app, scalar, two_enterprises):
    (a, person_a), (b, person_b) = two_enterprises["a"], two_enterprises["b"]
    draft = ready_application(app, b, [person_b])
    first = submitted_application(app, a, [person_a])
    refusal = submit_refused(app, draft)
    assert "宋文泰 已有其他单位正在办理的申请（当前状态：已提交，待受理），不能重复申请。" in refusal
    number = scalar(select(Application.number).where(Application.id == first))
    assert number not in refusal and "甲方" not in refusal


def test_a_different_person_of_the_same_name_is_not_refused(app, make_enterprise, two_enterprises):
    (a, person_a), (b, _) = two_enterprises["a"], two_enterprises["b"]
    submitted_application(app, a, [person_a])
    namesake = add_person(app, b, id_number="110105198501010020", passport="E12345678")
    assert submitted_application(app, b, [namesake])


def test_two_enterprises_submitting_the_same_person_at_once_admit_them_once(app, scalar, two_enterprises):
    drafts = [ready_application(app, enterprise, [person]) for enterprise, person in two_enterprises.values()]

    results, errors = run_in_threads(app, 2, submitting(drafts))
    assert not errors, errors
    assert results.count("submitted") == 1, results
    assert "已有其他单位正在办理的申请" in next(result for result in results if result != "submitted")
    assert scalar(select(func.count(Application.id)).where(Application.status == "submitted")) == 1
