"""CSRF on every POST, security headers, error pages in Chinese."""

from apec.enterprises.models import Enterprise

from .conftest import DEMO_PASSWORD, csrf_token_from, login
from .factories import registration


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, scalar, count):
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert "刷新页面" in response.get_data(as_text=True)
    assert count(Enterprise) == 0


def test_post_with_a_forged_token_is_refused(client, scalar, count):
    client.get("/register")
    response = client.post("/register", data=registration(csrf_token="forged"))
    assert response.status_code == 400
    assert count(Enterprise) == 0


def test_login_post_without_token_is_refused(client, make_enterprise):
    _, email = make_enterprise()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert client.get("/user-center/").status_code == 302


def test_htmx_sends_the_token_as_a_header(client, scalar, count):
    """Pages put the token in hx-headers; a request carrying only the header passes."""
    page = client.get("/register").get_data(as_text=True)
    assert "hx-headers='{\"X-CSRFToken\":" in page
    token = csrf_token_from(page)
    response = client.post("/register", data=registration(), headers={"X-CSRFToken": token})
    assert response.status_code == 303


def test_logout_needs_a_token(client, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    assert client.post("/logout").status_code == 400
    assert client.get("/user-center/").status_code == 200, "still signed in"


def test_security_headers_on_pages(client):
    response = client.get("/")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(client, make_enterprise):
    _, email = make_enterprise()
    response = login(client, email)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("apec_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_htmx_is_vendored_and_pinned(client):
    page = client.get("/").get_data(as_text=True)
    assert '/static/vendor/htmx-2.0.11.min.js' in page
    assert "unpkg" not in page and "cdn" not in page.lower()
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_nul_bytes_in_input_are_a_clear_400_not_a_500(client, make_enterprise):
    assert client.get("/user-center/?q=%00").status_code in (302, 400)
    _, email = make_enterprise()
    login(client, email)
    response = client.get("/user-center/?q=a%00b")
    assert response.status_code == 400
    assert "请求无效" in response.get_data(as_text=True)


def test_absurd_page_numbers_show_a_page_not_an_error(client, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    for page in ("99999999999999999999", "-3", "abc"):
        response = client.get(f"/user-center/?page={page}")
        assert response.status_code == 200, page
        assert "暂无申请单" in response.get_data(as_text=True)


def test_logs_mask_identity_numbers_even_next_to_chinese_text():
    from apec.web.logging import mask_identities

    masked = mask_identities("身份证110105199805152516号 护照e26895502 和 G12345678")
    assert "110105199805152516" not in masked and "1101**********2516" in masked
    assert "e26895502" not in masked and "G12345678" not in masked
