"""Fixtures: one app per test session on the database named by DATABASE_URL
(a fresh SQLite file by default), built by the real Alembic migrations, with
every table emptied after each test."""

import contextlib
import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from apec import create_app
from apec.extensions import db
from apec.settings import generate_key

# The suite's own keys, fresh for each run (the app has no default key); the workers and servers
# some tests start inherit them.
for _name, _value in (("SECRET_KEY", generate_key()), ("APEC_DATA_KEYS", f"k0:{generate_key()}"),
                      ("APEC_INDEX_KEY", generate_key())):
    os.environ.setdefault(_name, _value)

DEMO_PASSWORD = "Demo2026!apec"
RATE_LIMIT_NAMES = ("login_per_ip", "login_failures_per_account_and_ip", "login_failures_per_account",
                    "register_per_ip", "register_check_per_ip", "upload_per_user", "password_reset_per_ip")
# Argon2 at its cheapest: the suite checks behaviour, not hashing cost.
FAST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _reset_postgresql(url: str) -> None:
    """Empty the test database; refuses any database whose name does not say "test"."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = make_url(url).database or ""
    if "test" not in name:
        pytest.exit(f"DATABASE_URL names database '{name}': the suite empties its database, "
                    "so it only runs on one whose name contains 'test'", returncode=2)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def settings_for_tests(tmp_path, **overrides) -> dict:
    settings = {
        "TESTING": True,
        "APEC_PASSWORD_HASH": FAST_HASH,
        "APEC_UPLOAD_DIR": str(tmp_path / "uploads"),
        # Out of the way of a suite that signs in hundreds of times a minute from one address;
        # tests of the limits set their own (limited fixture).
        "APEC_RATE_LIMITS": {name: "100000 per minute" for name in RATE_LIMIT_NAMES},
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgresql(url)
    application = create_app(settings_for_tests(tmp_path_factory.mktemp("app"), SQLALCHEMY_DATABASE_URI=url))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(app):
    yield
    from apec.web.ratelimit import limiter

    limiter.reset()  # the counts too
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def data(app):
    """Open an app context for database checks between requests.

    Requests must not run inside a test's app context: Flask would reuse it,
    and with it `g` (where Flask-Login keeps the user) across clients.
    """
    return app.app_context


@pytest.fixture
def scalar(app):
    """Run one query in its own app context and return its scalar result."""

    def run(statement):
        with app.app_context():
            return db.session.scalar(statement)

    return run


@pytest.fixture
def count(scalar):
    def run(model):
        from sqlalchemy import func, select

        return scalar(select(func.count()).select_from(model))

    return run


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def submit(client, url: str, data: dict, page: str | None = None, **kwargs):
    """POST a form the way a browser does: load the page, take its hidden CSRF token (and the
    version a saving form was read at, unless the test sets one), send."""
    page_html = client.get(page or url).get_data(as_text=True)
    payload = dict(data, csrf_token=csrf_token_from(page_html))
    version = VERSION_RE.search(page_html)
    if version and "version" not in payload:
        payload["version"] = version.group(1)
    return client.post(url, data=payload, **kwargs)


def login(client, email: str, password: str = DEMO_PASSWORD, tab: str = "enterprise"):
    return submit(client, f"/login?tab={tab}", {"email": email, "password": password, "account_type": tab})


@pytest.fixture
def make_enterprise(app):
    """Register an enterprise through the service; returns (enterprise_id, admin_email)."""
    from apec.accounts.services import register_enterprise
    from stdnum.cn import uscc

    counter = {"n": 0}

    def factory(province="hebei", office="shijiazhuang", email=None, ownership="private", name=None):
        counter["n"] += 1
        number = f"9113010{counter['n']:02d}MA0D7R6T"[:17]
        number += uscc.calc_check_digit(number)
        email = email or f"qiye{counter['n']}@example.com"
        with app.app_context():
            user = register_enterprise(
                name=name or f"测试企业{counter['n']}有限公司",
                uscc=number,
                legal_representative="张三",
                ownership=ownership,
                province=province,
                office_code=office,
                email=email,
                password=DEMO_PASSWORD,
            )
            return user.enterprise_id, email

    return factory


@pytest.fixture
def make_staff(app):
    from apec.accounts.services import create_staff

    def factory(email, role="reviewer", province="hebei", office="shijiazhuang"):
        with app.app_context():
            create_staff(email=email, password=DEMO_PASSWORD, role=role, province=province, office_code=office)
        return email

    return factory


# --- browser tests: the real app on a local port, driven by Debian's chromium -----------------

CHROMIUM = os.environ.get("APEC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by a real HTTP server in a thread, on a free local port."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab (own cookies) with the live server as base URL."""
    context = chromium.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def page_without_javascript(chromium, live_server):
    context = chromium.new_context(base_url=live_server, java_script_enabled=False, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def javascript(request):
    """Run a browser test twice: with JavaScript (HTMX) and without (plain forms)."""
    return request.param


@contextlib.contextmanager
def _signed_in_tabs(chromium, live_server, javascript):
    """A factory of tabs signed in on the 登录 page as `email` on `tab`; their contexts close after."""
    from playwright.sync_api import expect

    contexts = []

    def open_as(email, tab="enterprise"):
        context = chromium.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=javascript,
                                       viewport={"width": 1280, "height": 900})
        contexts.append(context)
        tab_page = context.new_page()
        tab_page.set_default_timeout(10_000)
        tab_page.goto(f"/login?tab={tab}")
        tab_page.get_by_label("邮箱账号").fill(email)
        tab_page.get_by_label("密码").fill(DEMO_PASSWORD)
        tab_page.get_by_role("button", name="确认").click()
        expect(tab_page.get_by_role("button", name="退出")).to_be_visible()
        return tab_page

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def signed_in(chromium, live_server, javascript):
    """Signed-in tabs, with JavaScript and (a second run) without."""
    with _signed_in_tabs(chromium, live_server, javascript) as open_as:
        yield open_as


@pytest.fixture
def open_page(chromium, live_server):
    """Signed-in tabs with JavaScript, for the long walks that run once."""
    with _signed_in_tabs(chromium, live_server, True) as open_as:
        yield open_as


@pytest.fixture
def switch_rules(app, tmp_path):
    """switch_rules(code, toml_text): the running app takes the province's rules with this
    operator override (loaded and checked as at start-up) until the test ends."""
    from apec.provinces.registry import discover_provinces, load_province

    provinces = app.extensions["apec_provinces"]
    saved = dict(provinces)

    def switch(code: str, override: str):
        (tmp_path / f"{code}.toml").write_text(override, encoding="utf-8")
        provinces[code] = load_province(code, discover_provinces()[code], tmp_path)
        return provinces[code]

    yield switch
    provinces.clear()
    provinces.update(saved)


@pytest.fixture
def hunan_submitted(app, client, scalar, make_enterprise, make_staff):
    """A Hunan 新办 filled in through the steps and submitted; the office and MFA reviewers exist."""
    from .factories import add_person, complete_hunan, start, version_of

    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    application_id = start(client)
    complete_hunan(client, scalar, application_id, person_id)
    submit(client, f"/apply/{application_id}/submit", {"version": version_of(scalar, application_id)},
           page="/user-center/")
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    return {"id": application_id, "enterprise": client, "email": email}


@pytest.fixture
def clock(monkeypatch):
    """clock.set(2026, 9, 29, 10) makes the app's now that moment in China time (it stays there
    until set again)."""
    import datetime

    from apec import models_base
    from apec.timefmt import CHINA

    class Clock:
        moment = None

        def set(self, *parts):
            self.moment = datetime.datetime(*parts, tzinfo=CHINA).astimezone(datetime.UTC)

    fixed = Clock()
    monkeypatch.setattr(models_base, "_clock", lambda: fixed.moment or datetime.datetime.now(datetime.UTC))
    return fixed


@pytest.fixture
def limited(app, monkeypatch):
    """limited(name=limit, …): the app counts these rate limits as given until the test ends."""
    def set_limits(**limits):
        monkeypatch.setitem(app.config, "APEC_RATE_LIMITS", dict(app.config["APEC_RATE_LIMITS"], **limits))
    return set_limits
