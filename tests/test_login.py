"""登录 by tab, lockout after 5 failures, logout, idle timeout, de-authorised handlers."""

import datetime
import re
import time

import pytest

from sqlalchemy import select, update

from apec.accounts.models import User
from apec.audit import AuditLog
from apec.extensions import db
from apec.models_base import utcnow

from .conftest import DEMO_PASSWORD, login, submit


def test_enterprise_account_logs_in_with_its_email_and_lands_in_user_center(client, make_enterprise):
    _, email = make_enterprise()
    response = login(client, email.upper())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/user-center/")
    page = client.get("/user-center/").get_data(as_text=True)
    for label in ("我的申请单", "我的单据", "消息中心", "新办/续办", "提前制卡", "换补卡", "更换护照信息", "注销卡"):
        assert label in page


def test_login_page_has_the_three_tabs_and_the_confirm_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert "企业账号登录" in page and "经办人账号登录" in page and "工作人员登录" in page
    assert ">确认</button>" in page


WRONG = "邮箱或密码错误，请重新输入。连续输错 5 次，账号将被锁定 15 分钟。"


def alert_text(response) -> str:
    return re.search(r'<p class="form-alert" role="alert">(.*?)</p>', response.get_data(as_text=True)).group(1)


def test_wrong_password_says_so_in_chinese_with_422(client, make_enterprise):
    _, email = make_enterprise()
    response = login(client, email, "Wrong2026!pass")
    assert response.status_code == 422
    assert alert_text(response) == WRONG
    assert client.get("/user-center/").status_code == 302, "still signed out"


def test_unknown_email_gets_exactly_the_same_message_as_a_wrong_password(client, make_enterprise):
    _, email = make_enterprise()
    known = alert_text(login(client, email, "Wrong2026!pass"))
    unknown = alert_text(login(client, "nobody@example.com", "Wrong2026!pass"))
    assert known == unknown == WRONG


def test_five_failures_lock_the_account_with_the_time_to_retry(app, client, scalar, make_enterprise):
    _, email = make_enterprise()
    for _ in range(4):
        login(client, email, "Wrong2026!pass")
    fifth = login(client, email, "Wrong2026!pass").get_data(as_text=True)
    assert "密码连续输错 5 次，账号已锁定 15 分钟" in fifth
    assert "后再试" in fifth

    refused = login(client, email)  # the right password is refused while locked
    assert refused.status_code == 422
    assert "账号已锁定" in refused.get_data(as_text=True)
    assert client.get("/user-center/").status_code == 302

    user = scalar(select(User).where(User.email == email))
    assert user.locked_until > utcnow() + datetime.timedelta(minutes=14)
    assert scalar(select(AuditLog.event).where(AuditLog.event == "account_locked")) == "account_locked"

    # Fifteen minutes later the lock has run out.
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(
            locked_until=utcnow() - datetime.timedelta(seconds=1)))
        db.session.commit()
    assert login(client, email).status_code == 303


def test_successful_login_resets_the_failure_count(client, scalar, count, make_enterprise):
    _, email = make_enterprise()
    for _ in range(4):
        login(client, email, "Wrong2026!pass")
    assert login(client, email).status_code == 303
    assert scalar(select(User.failed_logins).where(User.email == email)) == 0


def test_account_used_on_the_wrong_tab_is_told_which_tab(client, make_enterprise, make_staff):
    _, email = make_enterprise()
    response = login(client, email, tab="handler")
    assert "该账号请在“企业账号登录”页登录" in response.get_data(as_text=True)
    make_staff("shenhe@example.com")
    response = login(client, "shenhe@example.com", tab="enterprise")
    assert "该账号请在“工作人员登录”页登录" in response.get_data(as_text=True)


def test_staff_login_lands_on_the_work_queue(client, make_staff):
    make_staff("shenhe@example.com", office="baoding")
    response = login(client, "shenhe@example.com", tab="staff")
    assert response.headers["Location"].endswith("/staff/")
    page = client.get("/staff/").get_data(as_text=True)
    assert "审核工作台" in page and "保定市人民政府外事办公室" in page


def test_logout_revokes_the_cookie_even_if_replayed(client, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    stolen_cookie = client.get_cookie("apec_session").value
    page = client.get("/user-center/").get_data(as_text=True)
    response = submit(client, "/logout", {}, page="/user-center/")
    assert response.status_code == 303
    assert client.get("/user-center/").status_code == 302

    client.set_cookie("apec_session", stolen_cookie)
    assert client.get("/user-center/").status_code == 302, "an old cookie no longer signs anyone in"
    assert page


def test_idle_session_times_out_with_a_message(client, app, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    assert client.get("/user-center/").status_code == 200
    idle = app.config["APEC_SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - idle - 1
    response = client.get("/user-center/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "由于长时间未操作，您已自动退出" in page
    assert client.get("/user-center/").status_code == 302


@pytest.mark.parametrize("target", [
    "//evil.example.com/", "/%09/evil.example.com", "/%0d%0a/x", "/\\evil.example.com", "https://evil.example.com/",
    "/ /evil.example.com",
])
def test_next_parameter_never_leaves_the_site(app, make_enterprise, target):
    _, email = make_enterprise()
    client = app.test_client()
    response = submit(client, f"/login?tab=enterprise&next={target}",
                      {"email": email, "password": DEMO_PASSWORD, "account_type": "enterprise"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/user-center/"


def test_next_parameter_within_the_site_is_followed(client, make_enterprise):
    _, email = make_enterprise()
    response = submit(client, "/login?tab=enterprise&next=/user-center/documents",
                      {"email": email, "password": DEMO_PASSWORD, "account_type": "enterprise"})
    assert response.headers["Location"] == "/user-center/documents"


def test_signing_in_again_long_after_logging_out_keeps_the_new_session(client, app, make_enterprise):
    """An old idle timestamp from before a logout must not end the next login at once."""
    _, email = make_enterprise()
    login(client, email)
    submit(client, "/logout", {}, page="/user-center/")
    idle = app.config["APEC_SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - idle - 60
    assert login(client, email).status_code == 303
    assert client.get("/user-center/").status_code == 200
