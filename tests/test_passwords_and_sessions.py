"""修改密码, 忘记密码 by e-mail link, and the absolute session lifetime (issue 19, L4)."""

import datetime
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from apec.accounts.models import User
from apec.accounts.passwords import PASSWORD_RULE
from apec.audit import AuditLog
from apec.notifications.models import MailOutbox

from .conftest import DEMO_PASSWORD, csrf_token_from, login, submit
from .test_handlers import add_handler

NEW_PASSWORD = "Neu2026pass"
SENT = "如果该邮箱已注册，重置链接已发送至该邮箱，30分钟内有效。"
INVALID = "链接已失效，请重新申请。"
LINK_RE = re.compile(r"https?://[^\s/]+(/password/reset\?token=[\w.\-]+)")


def change(client, current=DEMO_PASSWORD, new=NEW_PASSWORD, confirm=None):
    return submit(client, "/account/password",
                  {"current_password": current, "password": new, "confirm": confirm or new})


def password_hash(scalar, email):
    return scalar(select(User.password_hash).where(User.email == email))


@pytest.fixture
def mails(app):
    """mails(email): the bodies of the mails written to the outbox for this address, oldest first."""
    from apec.extensions import db

    def read(email):
        with app.app_context():
            return list(db.session.scalars(select(MailOutbox.body).where(MailOutbox.to_address == email)
                                           .order_by(MailOutbox.id)))
    return read


def flashes(client, url) -> str:
    return client.get(url).get_data(as_text=True)


def signed_in(client) -> bool:
    return client.get("/user-center/").status_code == 200


def at(clock, start: datetime.datetime, **delta) -> None:
    moment = start + datetime.timedelta(**delta)
    clock.set(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


START = datetime.datetime(2026, 9, 29, 8, 0)


# --- 修改密码 ------------------------------------------------------------------------------------

def test_every_role_finds_修改密码_in_its_header_menu(app, make_enterprise, make_staff):
    _, email = make_enterprise()
    admin = app.test_client()
    login(admin, email)
    add_handler(admin)
    make_staff("shenhe@example.com")
    make_staff("guanli@example.com", role="province_admin", office=None)
    for account, tab in ((email, "enterprise"), ("wang.jingban@example.com", "handler"),
                         ("shenhe@example.com", "staff"), ("guanli@example.com", "staff")):
        client = app.test_client()
        home = login(client, account, tab=tab).headers["Location"]
        header = client.get(home).get_data(as_text=True).split("</header>")[0]
        assert 'href="/account/password">修改密码</a>' in header, account
        page = client.get("/account/password").get_data(as_text=True)
        for label in ("当前密码", "新密码", "确认新密码"):
            assert f">{label}<" in page, (account, label)


def test_修改密码_needs_signing_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_wrong_current_password_is_refused_and_changes_nothing(client, scalar, count, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    before = password_hash(scalar, email)
    response = change(client, current="Wrong2026pass")
    assert response.status_code == 422
    assert "当前密码不正确，请重新输入" in response.get_data(as_text=True)
    assert password_hash(scalar, email) == before
    assert signed_in(client)
    assert count(MailOutbox) == 0
    assert scalar(select(AuditLog.detail).where(AuditLog.event == "password_change_failed")) == {
        "reason": "wrong_password"}


@pytest.mark.parametrize(("new", "confirm", "message"), [
    ("short1", "short1", PASSWORD_RULE),
    ("onlyletters", "onlyletters", PASSWORD_RULE),
    (NEW_PASSWORD, "Other2026pass", "两次输入的密码不一致"),
    (DEMO_PASSWORD, DEMO_PASSWORD, "新密码不能与当前密码相同"),
])
def test_the_new_password_follows_the_registration_rule(client, scalar, make_enterprise, new, confirm, message):
    _, email = make_enterprise()
    login(client, email)
    before = password_hash(scalar, email)
    response = change(client, new=new, confirm=confirm)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert password_hash(scalar, email) == before


def test_a_changed_password_signs_in_the_other_sessions_out_and_keeps_this_one(
        app, client, scalar, make_enterprise, mails):
    _, email = make_enterprise()
    login(client, email)
    other_device = app.test_client()
    login(other_device, email)
    assert signed_in(other_device)

    response = change(client)
    assert response.status_code == 303 and response.headers["Location"] == "/user-center/"
    assert "密码已修改。" in flashes(client, "/user-center/")
    assert signed_in(client), "this tab stays signed in"
    assert not signed_in(other_device), "every other session of the user has ended"

    assert login(app.test_client(), email).status_code == 422, "the old password no longer works"
    assert login(app.test_client(), email, NEW_PASSWORD).status_code == 303
    (mail,) = mails(email)
    assert "您的账号" in mail and "密码已于" in mail and "如非本人操作" in mail
    assert scalar(select(func.count()).select_from(AuditLog).where(AuditLog.event == "password_changed")) == 1


def test_staff_change_their_password_too(app, make_staff):
    make_staff("shenhe@example.com")
    client = app.test_client()
    login(client, "shenhe@example.com", tab="staff")
    response = change(client)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert login(app.test_client(), "shenhe@example.com", NEW_PASSWORD, tab="staff").status_code == 303


# --- 忘记密码 ------------------------------------------------------------------------------------

def ask_for_link(client, email):
    return submit(client, "/password/forgot", {"email": email})


def reset_link(mails, email) -> str:
    """The path of the reset link in the newest mail to `email`."""
    match = LINK_RE.search(mails(email)[-1])
    assert match, "the mail holds a reset link"
    return match.group(1)


def reset(client, link, new=NEW_PASSWORD, confirm=None):
    token = link.partition("token=")[2]
    return submit(client, "/password/reset", {"token": token, "password": new, "confirm": confirm or new}, page=link)


def post_reset(client, token, new=NEW_PASSWORD):
    """A reset POST with a token the page was not opened for (expired, used, tampered)."""
    csrf_page = client.get("/password/forgot").get_data(as_text=True)
    return client.post("/password/reset", data={"csrf_token": csrf_token_from(csrf_page), "token": token,
                                                "password": new, "confirm": new})


def test_login_page_links_to_忘记密码_on_every_tab(client):
    for tab in ("enterprise", "handler", "staff"):
        page = client.get(f"/login?tab={tab}").get_data(as_text=True)
        assert 'href="/password/forgot">忘记密码</a>' in page


def test_a_reset_link_works_once(app, client, scalar, make_enterprise, mails):
    _, email = make_enterprise()
    elsewhere = app.test_client()
    login(elsewhere, email)

    response = ask_for_link(client, email.upper())
    assert response.status_code == 303
    assert SENT in flashes(client, response.headers["Location"])
    (mail,) = mails(email)
    assert "30 分钟内" in mail and "只能使用一次" in mail and "如非本人操作" in mail
    link = reset_link(mails, email)
    token = link.partition("token=")[2]

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert ">新密码<" in page.get_data(as_text=True) and ">确认新密码<" in page.get_data(as_text=True)
    assert "河北省APEC商务旅行卡申报系统" in page.get_data(as_text=True), "in the account's province's branding"

    response = reset(client, link)
    assert response.status_code == 303 and response.headers["Location"] == "/login?tab=enterprise"
    assert "密码已重置，请使用新密码登录。" in flashes(client, response.headers["Location"])
    assert not signed_in(elsewhere), "a reset ends every session of the user"
    assert login(app.test_client(), email).status_code == 422
    assert login(app.test_client(), email, NEW_PASSWORD).status_code == 303

    after = password_hash(scalar, email)
    again = client.get(link)
    assert again.status_code == 410 and INVALID in again.get_data(as_text=True)
    assert 'href="/password/forgot"' in again.get_data(as_text=True), "with a way to ask again"
    assert post_reset(client, token, "Third2026pass").status_code == 410, "a second use fails"
    assert password_hash(scalar, email) == after
    assert scalar(select(func.count()).select_from(AuditLog).where(AuditLog.event == "password_reset")) == 1


def test_of_two_uses_at_the_same_moment_one_wins(app, client, make_enterprise, mails, monkeypatch):
    """Both uses pass the token check; the update only takes while the hash is the one the token was
    made for, so the later one changes nothing."""
    from sqlalchemy import update

    from apec.accounts import services
    from apec.extensions import db

    _, email = make_enterprise()
    ask_for_link(client, email)
    token = reset_link(mails, email).partition("token=")[2]
    with app.test_request_context():
        checked = services.user_for_token(token)
        assert checked is not None
        monkeypatch.setattr(services, "user_for_token", lambda token: checked)  # checked before …
        with db.engine.begin() as connection:  # … the other use's reset commits
            connection.execute(update(User).where(User.id == checked.id).values(password_hash="other use"))
        with pytest.raises(services.AccountError):
            services.reset_password(token, NEW_PASSWORD)
    with app.app_context():
        assert db.session.scalar(select(User.password_hash).where(User.email == email)) == "other use"


def test_the_token_is_nowhere_in_the_database(app, client, make_enterprise, mails):
    """Signed, not stored: only the mail (the outbox, in tests) ever holds it."""
    from apec.extensions import db

    _, email = make_enterprise()
    ask_for_link(client, email)
    token = reset_link(mails, email).partition("token=")[2]
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name == "mail_outbox":
                continue
            for row in db.session.execute(select(table)):
                assert token not in str(tuple(row)), table.name


def test_a_reset_link_expires_after_30_minutes(client, scalar, make_enterprise, mails, clock):
    _, email = make_enterprise()
    at(clock, START)
    ask_for_link(client, email)
    link = reset_link(mails, email)
    at(clock, START, minutes=29)
    assert client.get(link).status_code == 200, "still valid just before"
    at(clock, START, minutes=31)
    before = password_hash(scalar, email)
    late = client.get(link)
    assert late.status_code == 410 and INVALID in late.get_data(as_text=True)
    assert post_reset(client, link.partition("token=")[2]).status_code == 410
    assert password_hash(scalar, email) == before


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),   # the signature
    lambda token: "x" + token[1:],                                       # the payload
    lambda token: "",
    lambda token: "not-a-token",
    lambda token: token * 3,
])
def test_a_tampered_token_fails(client, scalar, make_enterprise, mails, tamper):
    _, email = make_enterprise()
    ask_for_link(client, email)
    token = tamper(reset_link(mails, email).partition("token=")[2])
    before = password_hash(scalar, email)
    page = client.get(f"/password/reset?token={token}")
    assert page.status_code == 410 and INVALID in page.get_data(as_text=True)
    assert post_reset(client, token).status_code == 410
    assert password_hash(scalar, email) == before


def test_another_accounts_token_does_not_reset_this_one(app, client, scalar, make_enterprise, mails):
    """The id in a token is signed with the rest: it cannot be pointed at another account."""
    from itsdangerous import URLSafeSerializer

    from apec.accounts.reset import SALT

    _, mine = make_enterprise()
    _, theirs = make_enterprise()
    ask_for_link(client, mine)
    token = reset_link(mails, mine).partition("token=")[2]
    user_id, issued, mark = URLSafeSerializer("guess", salt=SALT).loads_unsafe(token)[1]
    their_id = scalar(select(User.id).where(User.email == theirs))
    forged = URLSafeSerializer("guess", salt=SALT).dumps([their_id, issued, mark])
    before = password_hash(scalar, theirs)
    assert post_reset(client, forged).status_code == 410
    assert password_hash(scalar, theirs) == before


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, count, make_enterprise):
    _, email = make_enterprise()
    known = ask_for_link(client, email)
    unknown = ask_for_link(client, "nobody@example.com")
    assert (unknown.status_code, unknown.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert SENT in flashes(client, unknown.headers["Location"])
    assert count(MailOutbox) == 1, "only the known address got mail"


def test_a_malformed_email_is_a_field_error(client, count):
    response = ask_for_link(client, "not-an-email")
    assert response.status_code == 422 and "请输入正确的邮箱地址" in response.get_data(as_text=True)
    assert count(MailOutbox) == 0


def test_reset_requests_are_rate_limited_per_address(client, make_enterprise, limited):
    limited(password_reset_per_ip="2 per hour")
    _, email = make_enterprise()
    for _ in range(2):
        assert ask_for_link(client, email).status_code == 303
    refused = ask_for_link(client, email)
    assert refused.status_code == 429 and "操作过于频繁" in refused.get_data(as_text=True)


def test_one_mailbox_cannot_be_flooded_from_many_addresses(app, make_enterprise, limited, mails):
    limited(password_reset_per_ip="2 per hour")
    _, email = make_enterprise()
    answers = []
    for n in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
        answers.append(ask_for_link(client, email).status_code)
    assert answers == [303] * 4, "the same answer each time …"
    assert len(mails(email)) == 2, "… but no more links than the limit"


def test_a_deauthorised_handler_cannot_reset(app, client, scalar, make_enterprise, mails):
    _, email = make_enterprise()
    admin = app.test_client()
    login(admin, email)
    add_handler(admin)
    handler = "wang.jingban@example.com"
    ask_for_link(client, handler)
    link = reset_link(mails, handler)
    handler_id = scalar(select(User.id).where(User.email == handler))
    submit(admin, f"/enterprise/handlers/{handler_id}/deauthorise", {}, page="/enterprise/handlers")

    assert client.get(link).status_code == 410, "a link sent before does not work"
    ask_for_link(client, handler)
    assert len(mails(handler)) == 1, "and no new link is sent"


def test_a_handlers_link_leads_to_the_handler_tab(app, client, make_enterprise, mails):
    _, email = make_enterprise()
    admin = app.test_client()
    login(admin, email)
    add_handler(admin)
    ask_for_link(client, "wang.jingban@example.com")
    response = reset(client, reset_link(mails, "wang.jingban@example.com"))
    assert response.headers["Location"] == "/login?tab=handler"
    assert login(client, "wang.jingban@example.com", NEW_PASSWORD, tab="handler").status_code == 303


def test_a_password_change_ends_outstanding_links(client, make_enterprise, mails):
    _, email = make_enterprise()
    ask_for_link(client, email)
    link = reset_link(mails, email)
    login(client, email)
    change(client)
    assert client.get(link).status_code == 410


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, scalar, make_enterprise, mails):
    _, email = make_enterprise()
    ask_for_link(client, email)
    link = reset_link(mails, email)
    before = password_hash(scalar, email)
    response = reset(client, link, new="short")
    assert response.status_code == 422 and PASSWORD_RULE in response.get_data(as_text=True)
    assert password_hash(scalar, email) == before
    assert reset(client, link).status_code == 303


def test_links_use_the_configured_public_address(app, client, make_enterprise, mails, monkeypatch):
    """Not the Host header of whoever asked: a forged one must not take the link elsewhere."""
    monkeypatch.setitem(app.config, "APEC_PUBLIC_URL", "https://apec.example.gov.cn")
    _, email = make_enterprise()
    forged_host = {"base_url": "http://evil.example.com"}
    form = client.get("/password/forgot", **forged_host).get_data(as_text=True)
    response = client.post("/password/forgot", data={"email": email, "csrf_token": csrf_token_from(form)},
                           **forged_host)
    assert response.status_code == 303
    assert "https://apec.example.gov.cn/password/reset?token=" in mails(email)[0]
    assert "evil" not in mails(email)[0]


# --- absolute session lifetime -------------------------------------------------------------------

def test_an_active_session_ends_12_hours_after_sign_in(client, make_enterprise, clock):
    _, email = make_enterprise()
    at(clock, START)
    login(client, email)
    for minutes in range(10, 12 * 60 + 1, 10):  # busy every 10 minutes, never idle
        at(clock, START, minutes=minutes)
        assert signed_in(client), f"signed in after {minutes} minutes"
    at(clock, START, hours=12, minutes=5)
    response = client.get("/user-center/applications?page=1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "next=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "您已连续登录超过 12 小时，为了账号安全已自动退出，请重新登录。" in page
    assert not signed_in(client)
    assert login(client, email).status_code == 303 and signed_in(client), "signing in again starts afresh"


def test_the_idle_timeout_follows_the_same_clock(client, make_enterprise, clock):
    _, email = make_enterprise()
    at(clock, START)
    login(client, email)
    at(clock, START, minutes=29)
    assert signed_in(client)
    at(clock, START, minutes=29 + 31)
    response = client.get("/user-center/")
    assert response.status_code == 302
    assert "由于长时间未操作，您已自动退出" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_changing_the_password_does_not_extend_the_lifetime(client, make_enterprise, clock):
    _, email = make_enterprise()
    at(clock, START)
    login(client, email)
    for minutes in range(20, 11 * 60 + 1, 20):
        at(clock, START, minutes=minutes)
        assert signed_in(client)
    assert change(client).status_code == 303
    at(clock, START, hours=12, minutes=1)
    assert not signed_in(client), "12 hours from signing in, not from the change"


def test_a_session_without_a_sign_in_time_ends(client, make_enterprise):
    """A cookie made before the lifetime existed holds no sign-in time: it ends on its next request."""
    _, email = make_enterprise()
    login(client, email)
    with client.session_transaction() as session:
        session.pop("signed_in")
    assert not signed_in(client)


def test_the_lifetime_comes_from_config_and_the_environment(monkeypatch):
    from apec.settings import load_settings

    assert load_settings()["APEC_SESSION_ABSOLUTE_HOURS"] == 12
    monkeypatch.setenv("APEC_SESSION_ABSOLUTE_HOURS", "6")
    assert load_settings()["APEC_SESSION_ABSOLUTE_HOURS"] == 6


def test_a_shorter_configured_lifetime_is_followed(app, client, make_enterprise, clock, monkeypatch):
    monkeypatch.setitem(app.config, "APEC_SESSION_ABSOLUTE_HOURS", 1)
    _, email = make_enterprise()
    at(clock, START)
    login(client, email)
    at(clock, START, minutes=25)
    assert signed_in(client)
    at(clock, START, minutes=50)
    assert signed_in(client)
    at(clock, START, minutes=61)
    response = client.get("/user-center/")
    assert "您已连续登录超过 1 小时" in client.get(response.headers["Location"]).get_data(as_text=True)


# --- browser ---------------------------------------------------------------------------------------

def test_browser_忘记密码_then_a_new_password_by_the_link_then_修改密码(
        chromium, live_server, make_enterprise, mails, javascript):
    _, email = make_enterprise(province="liaoning", office="shenyang", email="reset.me@example.com")
    context = chromium.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=javascript,
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login")
        page.get_by_role("link", name="忘记密码").click()
        expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()
        page.get_by_label("邮箱账号").fill(email)
        page.get_by_role("button", name="发送重置链接").click()
        expect(page.get_by_text(SENT)).to_be_visible()

        (mail,) = mails(email)
        link = re.search(r"https?://\S+", mail).group(0)
        assert link.startswith(live_server + "/password/reset?token=")
        page.goto(link)
        expect(page.get_by_role("heading", name="重置密码")).to_be_visible()
        page.get_by_label(re.compile(r"^新密码")).fill(NEW_PASSWORD)
        page.get_by_label("确认新密码").fill("Mismatch2026")
        page.get_by_role("button", name="确认重置").click()
        expect(page.get_by_text("两次输入的密码不一致")).to_be_visible()
        page.get_by_label(re.compile(r"^新密码")).fill(NEW_PASSWORD)
        page.get_by_label("确认新密码").fill(NEW_PASSWORD)
        page.get_by_role("button", name="确认重置").click()
        expect(page.get_by_text("密码已重置，请使用新密码登录。")).to_be_visible()

        page.get_by_label("邮箱账号").fill(email)
        page.get_by_label("密码").fill(NEW_PASSWORD)
        page.get_by_role("button", name="确认").click()
        expect(page.get_by_role("button", name="退出")).to_be_visible()

        # 修改密码 from the user menu in the header.
        page.get_by_text("（企业账号）").click()
        page.get_by_role("link", name="修改密码").click()
        page.get_by_label("当前密码").fill(NEW_PASSWORD)
        page.get_by_label(re.compile(r"^新密码")).fill(DEMO_PASSWORD)
        page.get_by_label("确认新密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="确认修改").click()
        expect(page.get_by_text("密码已修改。")).to_be_visible()
        expect(page.get_by_role("heading", name="我的申请单")).to_be_visible()

        page.goto(link)
        expect(page.get_by_text(INVALID)).to_be_visible()
        page.get_by_role("link", name="重新申请重置密码").click()
        expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()
    finally:
        context.close()
