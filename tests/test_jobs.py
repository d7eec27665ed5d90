"""The job interface on a real queue: RQ on Redis, as production runs it."""

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from apec.notifications.models import MailOutbox

from .factories import add_person, submitted_application

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def rq_mode(app):
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    saved = {key: app.config[key] for key in ("APEC_JOBS", "APEC_REDIS_URL")}
    app.config.update(APEC_JOBS="rq", APEC_REDIS_URL=REDIS_URL)
    yield connection
    app.config.update(saved)
    connection.flushdb()


def test_mail_is_queued_in_redis_and_sent_when_a_worker_runs_it(app, scalar, count, make_enterprise, rq_mode):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    queue = Queue("apec", connection=rq_mode)
    assert queue.count == 1, "the request only queued the mail"
    assert count(MailOutbox) == 0
    with app.app_context():
        SimpleWorker([queue], connection=rq_mode).work(burst=True)
    assert queue.count == 0
    assert scalar(select(MailOutbox.to_address)) == email
