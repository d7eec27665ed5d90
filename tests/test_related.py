"""关联业务 on a 新办/续办 (its parent): which of 提前制卡, 换补卡, 未制卡仅更换护照 and 注销卡 the parent
allows at each status (seed 000 §2, DESIGN.md section 3), refused otherwise with nothing stored,
and numbered after the parent (-NN-tq, -hb, -hz, -zx)."""

import datetime

import pytest
from sqlalchemy import func, select

from apec.accounts.models import User
from apec.applications import drafts
from apec.applications.models import Application, ApplicationMember, Card, EconomyDecision
from apec.applications.states import CARD_MADE
from apec.applications.workflow import WorkflowError, available_businesses, transition
from apec.economies import preclearing_economies
from apec.extensions import db
from apec.statuses import STATUS_LABELS

from .factories import add_person, put_at_status, submit_related, submitted_application


@pytest.fixture
def parent(app, make_enterprise):
    """A Hunan 新办 submitted; returns (application id, enterprise admin's email)."""
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    return submitted_application(app, enterprise_id, [add_person(app, enterprise_id)]), email


def decide(app, application_id, approved: int, refused: int = 0) -> None:
    """For every member, the first `approved` pre-clearing economies approved, the next `refused` refused."""
    economies = [economy.code for economy in preclearing_economies()]
    with app.app_context():
        for member in db.session.scalars(select(ApplicationMember).where(ApplicationMember.application_id == application_id)):
            for index, code in enumerate(economies[:approved + refused]):
                db.session.add(EconomyDecision(member_id=member.id, economy=code, decided_on=datetime.date.today(),
                                               decision="approved" if index < approved else "refused"))
        db.session.commit()


def card_on(app, application_id, status="valid", years=5) -> None:
    """A card for every member (APEC12345678, APEC12345679 …), as if made on the application."""
    with app.app_context():
        members = db.session.scalars(select(ApplicationMember).where(
            ApplicationMember.application_id == application_id).order_by(ApplicationMember.position)).all()
        today = datetime.date.today()
        for index, member in enumerate(members):
            db.session.add(Card(person_id=member.person_id, application_id=application_id,
                                number=f"APEC{12345678 + index}", valid_from=today,
                                valid_to=today.replace(year=today.year + years), economies=["JP"], status=status))
        db.session.commit()


def businesses(app, application_id, email) -> set[str]:
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == email))
        found = set(available_businesses(db.session.get(Application, application_id), actor))
        db.session.remove()
        return found


def start(app, application_id, email, business_type) -> int:
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == email))
        started = drafts.start_related(db.session.get(Application, application_id), actor, business_type)
        return started.id


@pytest.mark.parametrize("status", list(STATUS_LABELS))
def test_each_parent_status_allows_exactly_the_businesses_of_the_guide(app, parent, status):
    application_id, email = parent
    decide(app, application_id, approved=3)
    card_on(app, application_id)
    put_at_status(app, application_id, status, "mfa" if status.startswith("economies") else "hunan")
    expected = {"early", "passport"} if status == "economies_review" else (
        {"replace", "cancel"} if status in CARD_MADE else set())
    assert businesses(app, application_id, email) == expected


@pytest.mark.parametrize("approved, refused", [(0, 0), (0, 2)])
def test_no_early_card_before_any_economy_has_approved(app, parent, approved, refused):
    application_id, email = parent
    decide(app, application_id, approved, refused)
    put_at_status(app, application_id, "economies_review", "mfa")
    assert businesses(app, application_id, email) == {"passport"}
    with pytest.raises(WorkflowError, match="尚未获任何经济体批准"):
        start(app, application_id, email, "early")


def test_no_replacement_or_cancellation_of_a_card_no_longer_valid(app, parent):
    application_id, email = parent
    card_on(app, application_id, status="cancelled")
    put_at_status(app, application_id, "picked_up", "hunan")
    assert businesses(app, application_id, email) == set()
    with pytest.raises(WorkflowError, match="不在有效状态") as refused:
        start(app, application_id, email, "replace")
    assert refused.value.status == 409


def test_a_business_the_parent_does_not_allow_stores_nothing(app, parent, count):
    application_id, email = parent
    with pytest.raises(WorkflowError, match="申请单当前状态为“已提交，待受理”，不能申请提前制卡") as refused:
        start(app, application_id, email, "early")
    assert refused.value.status == 409
    assert count(Application) == 1


def test_another_enterprises_parent_is_not_found(app, parent, make_enterprise):
    application_id, _ = parent
    put_at_status(app, application_id, "economies_review", "mfa")
    decide(app, application_id, approved=3)
    _, other = make_enterprise(province="hunan", office="hunan")
    with pytest.raises(WorkflowError) as refused:
        start(app, application_id, other, "passport")
    assert refused.value.status == 404


def test_a_related_draft_takes_the_parents_members_and_is_started_once(app, parent, scalar):
    application_id, email = parent
    decide(app, application_id, approved=3)
    put_at_status(app, application_id, "economies_review", "mfa")
    first = start(app, application_id, email, "early")
    assert start(app, application_id, email, "early") == first, "the 暂存 already started"
    assert scalar(select(Application.parent_id).where(Application.id == first)) == application_id
    members = select(ApplicationMember.person_id).where(ApplicationMember.application_id == first)
    assert scalar(members) == scalar(select(ApplicationMember.person_id).where(
        ApplicationMember.application_id == application_id))


def test_related_numbers_follow_the_parents_number(app, parent, scalar):
    application_id, email = parent
    number = scalar(select(Application.number).where(Application.id == application_id))
    decide(app, application_id, approved=3)
    put_at_status(app, application_id, "economies_review", "mfa")
    assert submit_related(app, start(app, application_id, email, "early"), email) == f"{number}-01-tq"
    assert submit_related(app, start(app, application_id, email, "passport"), email) == f"{number}-02-hz"
    assert "passport" not in businesses(app, application_id, email), "one open 更换护照 at a time"
    with pytest.raises(WorkflowError, match="已有正在办理的未制卡仅更换护照申请"):
        start(app, application_id, email, "passport")
    assert scalar(select(func.count()).select_from(Application)) == 3
