"""What approving a related business does (DESIGN.md section 3, seed 000 §2): 提前制卡 makes a card
on the economies approved so far and marks the parent 已提前制卡; 换补卡 replaces the card (a lost
one is cancelled on approval); 未制卡仅更换护照 replaces the passport the parent's card is made with;
注销卡 cancels the card. Fees: 720 per person for the first two, none for the others."""

import datetime

import pytest
from sqlalchemy import select

from apec.accounts.models import User
from apec.applications import drafts
from apec.applications.models import Application, Card
from apec.applications.workflow import (
    Collector, WorkflowError, pay_with_voucher, record_economy_decisions, transition,
)
from apec.economies import preclearing_economies
from apec.enterprises.models import Person
from apec.extensions import db

from .factories import NEW_PASSPORT, PDF, add_person, put_at_status, submit_related, submitted_application
from .test_related import card_on, decide

TODAY = datetime.date.today()


@pytest.fixture
def hunan(app, make_enterprise, make_staff):
    """A Hunan enterprise's 新办 (submitted), and the province and MFA reviewers."""
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    parent_id = submitted_application(app, enterprise_id, [person_id])
    for office in ("hunan", "mfa"):
        make_staff(f"{office}@example.com", province="hunan", office=office)
    return parent_id, email, person_id


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def act(app, application_id, action, email, **data):
    with app.app_context():
        transition(db.session.get(Application, application_id), action, user(email), **data)
        return db.session.get(Application, application_id).status


def started(app, parent_id, email, business) -> int:
    with app.app_context():
        return drafts.start_related(db.session.get(Application, parent_id), user(email), business).id


def review_to_approval(app, application_id) -> str:
    """受理 at the province office, 上报 to the MFA, 审核通过: the status it leads to."""
    act(app, application_id, "accept", "hunan@example.com")
    act(app, application_id, "forward", "hunan@example.com")
    return act(app, application_id, "approve", "mfa@example.com")


def pay_and_confirm(app, application_id, email) -> str:
    with app.app_context():
        pay_with_voucher(db.session.get(Application, application_id), user(email), filename="v.pdf", data=PDF,
                         invoice={"title": "测试公司", "tax_number": "91430100MA4L2X3K8X"})
    return act(app, application_id, "confirm_payment", "mfa@example.com")


def value(app, statement):
    with app.app_context():
        return db.session.scalar(statement)


def test_an_early_card_carries_the_economies_approved_so_far_and_marks_the_parent(app, hunan):
    parent_id, email, person_id = hunan
    decide(app, parent_id, approved=3)
    put_at_status(app, parent_id, "economies_review", "mfa")
    early_id = started(app, parent_id, email, "early")
    submit_related(app, early_id, email)
    assert value(app, select(Application.fee).where(Application.id == early_id)) == 720
    assert review_to_approval(app, early_id) == "awaiting_payment"
    assert pay_and_confirm(app, early_id, email) == "card_pending", "paid: the card is made, no economies wait"
    assert act(app, early_id, "issue_card", "mfa@example.com", cards={str(member_of(app, early_id)): "APEC20000001"},
               valid_from=TODAY) == "card_ready"

    card = value(app, select(Card).where(Card.number == "APEC20000001"))
    approved = [economy.code for economy in preclearing_economies()[:3]]
    assert card.person_id == person_id and card.status == "valid"
    assert set(approved) <= set(card.economies) and preclearing_economies()[3].code not in card.economies
    assert value(app, select(Application.status).where(Application.id == parent_id)) == "economies_review_early_made"
    with app.app_context():
        events = [(e.action, e.to_status) for e in db.session.get(Application, parent_id).timeline]
    assert ("early_card_made", "economies_review_early_made") in events

    # The economies go on being recorded on the parent; once all are in, 全部经济体审核完成，已提前制卡.
    with app.app_context():
        parent = db.session.get(Application, parent_id)
        rest = [{"member_id": parent.members[0].id, "economy": economy.code, "decision": "approved", "decided_on": TODAY}
                for economy in preclearing_economies()[3:]]
        record_economy_decisions(parent, user("mfa@example.com"), rest)
    assert value(app, select(Application.status).where(Application.id == parent_id)) == "economies_done_early_made"


def member_of(app, application_id) -> int:
    with app.app_context():
        return db.session.get(Application, application_id).members[0].id


def parent_with_card(app, hunan):
    parent_id, email, person_id = hunan
    decide(app, parent_id, approved=16)
    card_on(app, parent_id, years=3)
    put_at_status(app, parent_id, "picked_up", "hunan")
    return parent_id, email, person_id


def test_a_lost_card_is_cancelled_on_approval_and_its_replacement_keeps_the_term(app, hunan):
    parent_id, email, person_id = parent_with_card(app, hunan)
    replace_id = started(app, parent_id, email, "replace")
    submit_related(app, replace_id, email, reason="lost")
    assert review_to_approval(app, replace_id) == "awaiting_payment"
    assert value(app, select(Card.status).where(Card.number == "APEC12345678")) == "lost"
    pay_and_confirm(app, replace_id, email)
    act(app, replace_id, "issue_card", "mfa@example.com", cards={str(member_of(app, replace_id)): "APEC20000002"},
        valid_from=TODAY)
    old = value(app, select(Card).where(Card.number == "APEC12345678"))
    new = value(app, select(Card).where(Card.number == "APEC20000002"))
    assert old.status == "lost" and new.status == "valid" and new.valid_to == old.valid_to
    holder = Collector("宋文泰", "110105199805152516")
    assert act(app, replace_id, "hand_over", "hunan@example.com", collector=holder) == "picked_up"


def test_a_damaged_card_stays_valid_until_its_replacement_is_made(app, hunan):
    parent_id, email, _ = parent_with_card(app, hunan)
    replace_id = started(app, parent_id, email, "replace")
    submit_related(app, replace_id, email)
    review_to_approval(app, replace_id)
    assert value(app, select(Card.status).where(Card.number == "APEC12345678")) == "valid"
    pay_and_confirm(app, replace_id, email)
    act(app, replace_id, "issue_card", "mfa@example.com", cards={str(member_of(app, replace_id)): "APEC20000003"},
        valid_from=TODAY)
    assert value(app, select(Card.status).where(Card.number == "APEC12345678")) == "replaced"


def test_a_cancellation_is_free_and_cancels_the_card(app, hunan):
    parent_id, email, _ = parent_with_card(app, hunan)
    cancel_id = started(app, parent_id, email, "cancel")
    number = submit_related(app, cancel_id, email)
    assert number.endswith("-01-zx")
    assert value(app, select(Application.fee).where(Application.id == cancel_id)) == 0
    assert review_to_approval(app, cancel_id) == "card_cancelled"
    assert value(app, select(Card.status).where(Card.number == "APEC12345678")) == "cancelled"
    with app.app_context():
        actor = user(email)
        from apec.applications.workflow import available_businesses

        assert available_businesses(db.session.get(Application, parent_id), actor) == [], \
            "no 换补卡 or 注销卡 of a cancelled card"


def test_a_new_passport_replaces_the_old_one_and_the_parents_card_is_made_with_it(app, hunan):
    parent_id, email, person_id = hunan
    put_at_status(app, parent_id, "economies_review", "mfa")
    passport_id = started(app, parent_id, email, "passport")
    submit_related(app, passport_id, email)
    assert value(app, select(Application.fee).where(Application.id == passport_id)) == 0
    assert review_to_approval(app, passport_id) == "completed"
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person.passport_number == NEW_PASSPORT["number"]
        assert person.passport_expiry_date == NEW_PASSPORT["expiry_date"]
        parent = db.session.get(Application, parent_id)
        assert parent.members[0].shown.passport_number == NEW_PASSPORT["number"], "the parent as submitted"
        assert any(event.action == "passport_replaced" for event in parent.timeline)


def test_hebei_withdraws_a_related_business_before_acceptance_as_it_does_a_new_one(app, make_enterprise, make_staff):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    card_on(app, parent_id)
    put_at_status(app, parent_id, "picked_up", "shijiazhuang")
    cancel_id = started(app, parent_id, email, "cancel")
    number = submit_related(app, cancel_id, email)
    assert act(app, cancel_id, "withdraw", email) == "draft"
    assert value(app, select(Application.number).where(Application.id == cancel_id)) == number, "keeps its number"
    with app.app_context():
        assert submit_related(app, cancel_id, email) == number
    make_staff("sjz@example.com", province="hebei", office="shijiazhuang")
    act(app, cancel_id, "accept", "sjz@example.com")
    with pytest.raises(WorkflowError, match="申请单当前状态为“市外办审核中”，不能撤回"):
        act(app, cancel_id, "withdraw", email)
