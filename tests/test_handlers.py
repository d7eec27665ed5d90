"""经办人管理: the enterprise account adds, edits, de- and re-authorises handlers."""

from sqlalchemy import select

from apec.accounts.models import User
from apec.extensions import db

from .conftest import DEMO_PASSWORD, login, submit

NEW_HANDLER = {
    "name": "王经办", "email": "Wang.Jingban@example.com", "mobile": "13912345678",
    "password": DEMO_PASSWORD, "confirm": DEMO_PASSWORD,
}


def add_handler(client, **changes):
    return submit(client, "/enterprise/handlers/new", dict(NEW_HANDLER, **changes))


def test_added_handler_logs_in_on_the_handler_tab(app, make_enterprise):
    _, email = make_enterprise()
    admin = app.test_client()
    login(admin, email)
    response = add_handler(admin)
    assert response.status_code == 303
    listing = admin.get("/enterprise/handlers").get_data(as_text=True)
    assert "王经办" in listing and "wang.jingban@example.com" in listing and "已授权" in listing

    handler = app.test_client()
    assert login(handler, "wang.jingban@example.com", tab="handler").status_code == 303
    assert handler.get("/user-center/").status_code == 200
    assert handler.get("/enterprise/handlers").status_code == 404, "handlers do not manage handlers"


def test_bad_handler_input_is_a_field_error_and_nothing_is_stored(client, scalar, count, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    response = add_handler(client, mobile="12345", email="bad")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请输入 11 位手机号码" in page and "请输入正确的邮箱地址" in page
    assert 'value="王经办"' in page
    assert scalar(select(User).where(User.role == "handler")) is None


def test_handler_email_already_used_is_a_field_error(client, make_enterprise):
    _, email = make_enterprise()
    login(client, email)
    response = add_handler(client, email=email)
    assert response.status_code == 422
    assert "该邮箱已被其他账号使用" in response.get_data(as_text=True)


def test_deauthorised_handler_is_signed_out_and_cannot_log_in_until_reauthorised(app, scalar, make_enterprise):
    _, email = make_enterprise()
    admin = app.test_client()
    login(admin, email)
    add_handler(admin)
    handler_id = scalar(select(User.id).where(User.role == "handler"))

    handler = app.test_client()
    login(handler, "wang.jingban@example.com", tab="handler")
    assert handler.get("/user-center/").status_code == 200

    response = submit(admin, f"/enterprise/handlers/{handler_id}/deauthorise", {}, page="/enterprise/handlers")
    assert response.status_code == 303
    assert "已取消授权" in admin.get("/enterprise/handlers").get_data(as_text=True)
    assert handler.get("/user-center/").status_code == 302, "the open session ends at once"
    refused = login(handler, "wang.jingban@example.com", tab="handler")
    assert "该账号已被取消授权" in refused.get_data(as_text=True)

    submit(admin, f"/enterprise/handlers/{handler_id}/reauthorise", {}, page="/enterprise/handlers")
    assert login(handler, "wang.jingban@example.com", tab="handler").status_code == 303


def test_edit_handler_changes_name_and_password(app, scalar, make_enterprise):
    _, email = make_enterprise()
    admin = app.test_client()
    login(admin, email)
    add_handler(admin)
    handler_id = scalar(select(User.id).where(User.role == "handler"))
    form = admin.get(f"/enterprise/handlers/{handler_id}/edit").get_data(as_text=True)
    assert 'value="王经办"' in form

    response = submit(admin, f"/enterprise/handlers/{handler_id}/edit",
                      {"name": "王新", "mobile": "13912345678", "password": "Newpass2026", "confirm": "Newpass2026"})
    assert response.status_code == 303
    assert "王新" in admin.get("/enterprise/handlers").get_data(as_text=True)
    handler = app.test_client()
    assert login(handler, "wang.jingban@example.com", tab="handler").status_code == 422
    assert login(handler, "wang.jingban@example.com", "Newpass2026", tab="handler").status_code == 303
