"""登录 by tab, limits on failures (issue 19, M4), logout, idle timeout, de-authorised handlers."""

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


WRONG = "邮箱或密码错误，请重新输入。多次输错后，需稍候几分钟才能再次登录。"


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


REAL_LIMITS = {"login_failures_per_account_and_ip": "5 per 15 minutes", "login_failures_per_account": "50 per hour"}


def from_address(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_M4_five_failures_slow_that_address_not_the_owner(app, client, make_enterprise, limited):
    limited(**REAL_LIMITS)
    _, email = make_enterprise()
    guesser = from_address(app.test_client(), "203.0.113.9")
    for _ in range(5):
        assert alert_text(login(guesser, email, "Wrong2026!pass")) == WRONG
    refused = login(guesser, email)  # past the limit even the right password waits …
    assert refused.status_code == 422 and alert_text(refused) == WRONG, "… and says nothing more"
    assert guesser.get("/user-center/").status_code == 302
    owner = from_address(client, "198.51.100.7")
    assert login(owner, email).status_code == 303, "the owner, elsewhere, is not locked out"


def test_M4_many_addresses_guessing_one_account_meet_its_own_limit(app, make_enterprise, limited):
    limited(login_failures_per_account_and_ip="5 per 15 minutes", login_failures_per_account="8 per hour")
    _, email = make_enterprise()
    for n in range(8):
        login(from_address(app.test_client(), f"203.0.113.{n}"), email, "Wrong2026!pass")
    late = login(from_address(app.test_client(), "198.51.100.7"), email)
    assert late.status_code == 422 and alert_text(late) == WRONG


def test_M4_unknown_wrong_and_throttled_answer_alike_after_the_same_work(app, client, make_enterprise, limited,
                                                                      monkeypatch):
    """The same message, and one Argon2 operation each: no timing tells which accounts exist."""
    from apec.accounts import services

    limited(login_failures_per_account_and_ip="1 per 15 minutes")
    _, email = make_enterprise()
    work = []
    monkeypatch.setattr(services, "hash_password", lambda password: work.append("hash") or "x")
    real_verify = services.verify_password
    monkeypatch.setattr(services, "verify_password", lambda *args: work.append("verify") or real_verify(*args))
    answers = []
    for who in ("nobody@example.com", email, email):  # unknown, wrong password, then throttled
        work.clear()
        answers.append((alert_text(login(client, who, "Wrong2026!pass")), len(work)))
    assert answers == [(WRONG, 1)] * 3


def test_M4_too_many_login_posts_from_one_address_are_a_429(app, client, make_enterprise, limited):
    limited(login_per_ip="3 per minute")
    _, email = make_enterprise()
    for _ in range(3):
        login(client, email, "Wrong2026!pass")
    refused = login(client, email)
    assert refused.status_code == 429 and "操作过于频繁" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 60, "the client is told how long to wait"


def test_M4_the_registration_check_is_limited_per_address(client, limited):
    limited(register_check_per_ip="2 per minute")
    for _ in range(2):
        submit(client, "/register/check", {"email": "a@example.com"}, page="/register",
               headers={"HX-Request": "true", "HX-Trigger-Name": "email"})
    refused = submit(client, "/register/check", {"email": "a@example.com"}, page="/register",
                     headers={"HX-Request": "true", "HX-Trigger-Name": "email"})
    assert refused.status_code == 429


def test_successful_login_starts_the_count_afresh(client, make_enterprise, limited):
    limited(**REAL_LIMITS)
    _, email = make_enterprise()
    for _ in range(4):
        login(client, email, "Wrong2026!pass")
    assert login(client, email).status_code == 303
    client.post("/logout", data={"csrf_token": ""})
    client.delete_cookie("apec_session")
    for _ in range(4):
        login(client, email, "Wrong2026!pass")
    assert login(client, email).status_code == 303, "four more failures are under the limit again"


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
