"""企业注册: success, field errors in Chinese with 422, duplicates, inline checks."""

from sqlalchemy import select

from apec.accounts.models import User
from apec.enterprises.models import Enterprise

from .conftest import DEMO_PASSWORD, csrf_token_from, submit
from .factories import registration, valid_uscc


def test_registration_creates_enterprise_and_signs_in(client, scalar, count):
    response = submit(client, "/register", registration())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/user-center/")

    page = client.get("/user-center/").get_data(as_text=True)
    assert "河北华北机电进出口有限公司" in page
    assert "注册成功" in page

    enterprise = scalar(select(Enterprise))
    assert (enterprise.province, enterprise.office_code) == ("hebei", "baoding")
    user = scalar(select(User))
    assert user.email == "contact@huabei.example.com", "emails are stored lower-cased"
    assert user.role == "enterprise_admin"
    assert DEMO_PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")


def test_registration_with_full_width_uscc_is_stored_normalised(client, scalar, count):
    full_width = valid_uscc().translate(str.maketrans("0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"))
    assert submit(client, "/register", registration(uscc=full_width)).status_code == 303
    assert scalar(select(Enterprise.uscc)) == valid_uscc()


def test_bad_fields_show_chinese_errors_keep_values_and_store_nothing(client, scalar, count):
    response = submit(client, "/register", registration(
        uscc="91130100MA0D7R6T1X", email="not-an-email", confirm="Other2026!apec", office="",
    ))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "统一社会信用代码不正确" in page
    assert "请输入正确的邮箱地址" in page
    assert "两次输入的密码不一致" in page
    assert "请选择所属外办" in page
    assert 'value="河北华北机电进出口有限公司"' in page, "what the user typed is kept"
    assert 'value="赵卫东"' in page
    assert 'value="not-an-email"' in page
    assert DEMO_PASSWORD not in page, "passwords are never echoed back"
    assert count(Enterprise) == 0 and count(User) == 0


def test_weak_password_and_missing_fields_are_field_errors(client, scalar, count):
    response = submit(client, "/register", registration(name="", password="abcdefgh", confirm="abcdefgh"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写企业名称" in page
    assert "密码至少 8 位，且须同时包含字母和数字" in page
    assert count(Enterprise) == 0


def test_office_of_another_province_is_refused(client, scalar, count):
    response = submit(client, "/register", registration(province="hebei", office="dalian"))
    assert response.status_code == 422
    assert "请选择河北省的外办" in response.get_data(as_text=True)
    assert count(Enterprise) == 0


def test_mfa_stage_cannot_be_chosen_as_own_office(client, scalar, count):
    response = submit(client, "/register", registration(office="mfa"))
    assert response.status_code == 422
    assert count(Enterprise) == 0


def test_duplicate_uscc_is_a_field_error_not_a_500(client, scalar, count, make_enterprise):
    make_enterprise()  # registers uscc of test #1 …
    existing = scalar(select(Enterprise.uscc))
    response = submit(client, "/register", registration(uscc=existing))
    assert response.status_code == 422
    assert "该统一社会信用代码已注册" in response.get_data(as_text=True)
    assert count(Enterprise) == 1


def test_duplicate_email_in_any_case_is_a_field_error(client, scalar, count, make_enterprise):
    make_enterprise(email="taken@example.com")
    response = submit(client, "/register", registration(email="TAKEN@example.com"))
    assert response.status_code == 422
    assert "该邮箱已注册" in response.get_data(as_text=True)
    assert count(Enterprise) == 1


def test_inline_check_returns_only_the_field_with_its_error(client):
    token = csrf_token_from(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register/check",
        data=registration(uscc="123", csrf_token=token),
        headers={"HX-Request": "true", "HX-Trigger-Name": "uscc", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert 'id="uscc-feedback"' in fragment
    assert "统一社会信用代码不正确" in fragment
    assert "<input" not in fragment, "the input the user is in is never replaced"
    assert "<html" not in fragment


def test_inline_check_tells_at_once_that_an_email_is_taken(client, make_enterprise):
    make_enterprise(email="taken@example.com")
    token = csrf_token_from(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register/check",
        data=registration(email="Taken@example.com", csrf_token=token),
        headers={"HX-Request": "true", "HX-Trigger-Name": "email", "X-CSRFToken": token},
    )
    assert "该邮箱已注册" in response.get_data(as_text=True)


def test_choosing_a_province_lists_only_its_offices(client):
    token = csrf_token_from(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register/check",
        data=registration(province="liaoning", office="", csrf_token=token),
        headers={"HX-Request": "true", "HX-Trigger-Name": "province", "X-CSRFToken": token},
    )
    fragment = response.get_data(as_text=True)
    assert "沈阳市人民政府外事办公室" in fragment
    assert "石家庄市人民政府外事办公室" not in fragment
    assert "外交部领事司" not in fragment


def test_register_page_without_javascript_offers_every_office_grouped_by_province(client):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="office"' in page
    for office in ("湖南省人民政府外事办公室", "雄安新区党政办", "葫芦岛市人民政府外事办公室"):
        assert office in page


def test_a_registration_race_on_the_same_uscc_ends_in_a_field_error(client, scalar, count, make_enterprise,
                                                                   monkeypatch):
    """Two tabs pass the duplicate check at once; the unique constraint catches the second."""
    from apec.accounts import services

    make_enterprise()
    uscc_in_use = scalar(select(Enterprise.uscc))
    monkeypatch.setattr(services, "registration_conflict", lambda field, value: None)
    response = submit(client, "/register", registration(uscc=uscc_in_use))
    assert response.status_code == 422
    assert "该统一社会信用代码已注册" in response.get_data(as_text=True)
    assert count(Enterprise) == 1


def test_crafted_choice_values_get_a_chinese_message(client, count):
    response = submit(client, "/register", registration(ownership="bogus", province="shanghai"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请从列表中选择" in page and "Not a valid choice" not in page
    assert count(Enterprise) == 0


def test_full_width_email_is_the_same_account(client, make_enterprise):
    make_enterprise(email="a@example.com")
    response = submit(client, "/register", registration(email="ａ@example.com"))
    assert response.status_code == 422
    assert "该邮箱已注册" in response.get_data(as_text=True)
