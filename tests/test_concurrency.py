"""Numbering and double submit under real concurrency (meaningful on PostgreSQL;
SQLite serialises writers, so there the same tests show the same guarantees)."""

import re
import sqlite3
import threading

from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from apec.applications.models import Application, TimelineEvent
from apec.applications.numbering import next_application_number
from apec.extensions import db

from .conftest import login
from .factories import add_person, start
from .factories import complete_hunan


def run_in_threads(app, count, work):
    """Start `count` threads together (a barrier, not a sleep) and collect what each returns."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def handing_out(items):
    """A function that gives each thread that calls it the next of `items`."""
    remaining, lock = iter(items), threading.Lock()

    def next_one():
        with lock:
            return next(remaining)

    return next_one


def submitting(drafts):
    """Work for run_in_threads: each thread submits the next of `drafts` as the user who started
    it, and returns "submitted" or why it was refused."""
    from apec.applications.workflow import WorkflowError, transition

    next_draft = handing_out(drafts)

    def submit_one():
        application = db.session.get(Application, next_draft())
        try:
            transition(application, "submit", application.created_by)
            return "submitted"
        except WorkflowError as error:
            return " ".join(error.problems)

    return submit_one


def test_concurrent_number_requests_never_share_a_number(app):
    def take_numbers():
        numbers = []
        for _ in range(5):
            numbers.append(next_application_number())
            db.session.commit()
        return numbers

    results, errors = run_in_threads(app, 8, take_numbers)
    assert not errors, errors
    numbers = [number for batch in results for number in batch]
    assert len(numbers) == 40 and len(set(numbers)) == 40
    sequences = sorted(int(number[-6:]) for number in numbers)
    assert sequences == list(range(1, 41)), "one gapless daily sequence"
    assert all(re.fullmatch(r"APEC\d{8}\d{6}", number) for number in numbers)


def test_the_same_draft_submitted_twice_at_once_is_submitted_once(app, client, scalar, make_enterprise):
    from apec.accounts.models import User
    from apec.applications.workflow import WorkflowError, transition

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    application_id = start(client)
    complete_hunan(client, scalar, application_id, person_id)
    version = scalar(select(Application.version).where(Application.id == application_id))

    def submit_once():
        user = db.session.scalar(select(User).where(User.email == email))
        application = db.session.get(Application, application_id)
        try:
            transition(application, "submit", user, expected_version=version)
            return "submitted"
        except WorkflowError as error:
            return error.status

    results, errors = run_in_threads(app, 2, submit_once)
    assert not errors, errors
    assert sorted(results, key=str) == [409, "submitted"]
    assert scalar(select(func.count(TimelineEvent.id))) == 1
    assert scalar(select(Application.status).where(Application.id == application_id)) == "submitted"


def test_two_drafts_with_the_same_person_submitted_at_once_admit_the_person_once(app, client, scalar,
                                                                               make_enterprise):
    """Each draft alone is eligible; submitted together, the second must see the first."""
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    drafts = []
    for _ in range(2):  # one after the other: a draft left empty would be reused
        drafts.append(start(client))
        complete_hunan(client, scalar, drafts[-1], person_id)

    results, errors = run_in_threads(app, 2, submitting(drafts))
    assert not errors, errors
    assert results.count("submitted") == 1, results
    refusal = next(result for result in results if result != "submitted")
    assert "已有正在办理的申请单" in refusal
    assert scalar(select(func.count(Application.id)).where(Application.status == "submitted")) == 1


def test_two_reviewers_accepting_at_once_accept_once(app, scalar, make_enterprise, make_staff):
    from apec.accounts.models import User
    from apec.applications.workflow import WorkflowError, transition

    from .factories import submitted_application

    enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    make_staff("one@example.com", province="hunan", office="hunan")
    make_staff("two@example.com", province="hunan", office="hunan")
    version = scalar(select(Application.version).where(Application.id == application_id))
    next_email = handing_out(["one@example.com", "two@example.com"])

    def accept():
        email = next_email()
        user = db.session.scalar(select(User).where(User.email == email))
        try:
            transition(db.session.get(Application, application_id), "accept", user, expected_version=version)
            return "accepted"
        except WorkflowError as error:
            return error.status

    results, errors = run_in_threads(app, 2, accept)
    assert not errors, errors
    assert sorted(results, key=str) == [409, "accepted"]
    assert scalar(select(func.count(TimelineEvent.id)).where(TimelineEvent.action == "accept")) == 1


def test_a_submit_holds_its_members_until_it_commits(app, client, scalar, make_enterprise):
    """While a submission is being committed, no other transaction can take its members' person
    rows (PostgreSQL: the row lock; SQLite: the database write lock): a second submit holding the
    same person waits and then sees the first one's result. Looked at from a second connection
    that refuses to wait (NOWAIT), inside the submit's own transaction."""
    from apec.accounts.models import User
    from apec.applications.workflow import transition

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    application_id = start(client)
    complete_hunan(client, scalar, application_id, person_id)
    seen = []

    def another_transaction_tries_the_person(session):
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as other:
                try:
                    other.execute(text("SELECT id FROM person WHERE id = :id FOR UPDATE NOWAIT"), {"id": person_id})
                    seen.append("free")
                except OperationalError:
                    seen.append("locked")
                other.rollback()
        else:
            other = sqlite3.connect(db.engine.url.database, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                seen.append("free")
            except sqlite3.OperationalError:
                seen.append("locked")
            finally:
                other.close()

    with app.app_context():
        session = db.session()
        user = db.session.scalar(select(User).where(User.email == email))
        application = db.session.get(Application, application_id)
        # The submit's own commit (the e-mail job after it commits too).
        event.listen(session, "before_commit", another_transaction_tries_the_person, once=True)
        transition(application, "submit", user)
        db.session.remove()
    assert seen == ["locked"]
    assert scalar(select(Application.status).where(Application.id == application_id)) == "submitted"


def test_related_applications_submitted_at_once_get_different_numbers(app, scalar, make_enterprise):
    """Two businesses on one parent (提前制卡 and 未制卡仅更换护照) submitted together: -01- and -02-."""
    import datetime

    from apec.accounts.models import User
    from apec.applications import drafts
    from apec.applications.models import ApplicationMember, EconomyDecision
    from apec.applications.workflow import transition
    from apec.economies import preclearing_economies

    from .factories import complete_business, put_at_status, submitted_application, upload_every_material

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    parent_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    put_at_status(app, parent_id, "economies_review", "mfa")
    with app.app_context():
        member = db.session.scalar(select(ApplicationMember).where(ApplicationMember.application_id == parent_id))
        db.session.add(EconomyDecision(member_id=member.id, economy=preclearing_economies()[0].code,
                                       decision="approved", decided_on=datetime.date.today()))
        db.session.commit()
        actor = db.session.scalar(select(User).where(User.email == email))
        related = []
        for business in ("early", "passport"):
            started = drafts.start_related(db.session.get(Application, parent_id), actor, business)
            started.pickup_method, started.pickup_snapshot = "self", {"name": "本外办", "address": "", "phone": ""}
            complete_business(started)
            upload_every_material(started, actor)
            related.append(started.id)
        parent_number = db.session.get(Application, parent_id).number
        db.session.remove()
    next_related = handing_out(related)

    def submit_one():
        application_id = next_related()
        user = db.session.scalar(select(User).where(User.email == email))
        return transition(db.session.get(Application, application_id), "submit", user).number

    results, errors = run_in_threads(app, 2, submit_one)
    assert not errors, errors
    assert sorted(number[:-3] for number in results) == [f"{parent_number}-01", f"{parent_number}-02"]
