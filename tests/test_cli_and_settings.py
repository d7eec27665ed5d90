"""Operator CLI for staff accounts; production refuses development keys."""

import pytest

from apec.settings import SettingsError, generate_key, load_settings

from .conftest import DEMO_PASSWORD, login


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_create_staff_makes_a_reviewer_who_logs_in_to_its_office(app, client):
    result = run(app, "create-staff", "--province", "liaoning", "--office", "dalian",
                 "--email", "Dalian.Reviewer@example.com", "--password", DEMO_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "created reviewer dalian.reviewer@example.com (liaoning/dalian)" in result.output
    assert login(client, "dalian.reviewer@example.com", tab="staff").status_code == 303
    assert "大连市人民政府外事办公室" in client.get("/staff/").get_data(as_text=True)


def test_create_staff_refuses_an_unknown_office_naming_the_valid_ones(app):
    result = run(app, "create-staff", "--province", "hebei", "--office", "beijing", "--email", "x@example.com")
    assert result.exit_code != 0
    assert "unknown office 'beijing'" in result.output
    assert "shijiazhuang" in result.output


def test_create_admin_generates_a_password_when_none_is_given(app, client):
    result = run(app, "create-admin", "--province", "hebei", "--email", "admin@example.com")
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].strip()
    assert login(client, "admin@example.com", password, tab="staff").headers["Location"].endswith("/admin/")


def test_create_staff_twice_is_a_clear_error(app):
    args = ["create-admin", "--province", "hebei", "--email", "admin@example.com", "--password", DEMO_PASSWORD]
    assert run(app, *args).exit_code == 0
    again = run(app, *args)
    assert again.exit_code != 0 and "exists already" in again.output


def test_check_config_lists_the_provinces(app):
    result = run(app, "check-config")
    assert result.exit_code == 0
    assert "hebei: 河北省, 16 offices, chain city → province → mfa" in result.output


def test_production_refuses_to_start_without_keys(monkeypatch):
    monkeypatch.setenv("APEC_ENV", "production")
    for name in ("SECRET_KEY", "APEC_DATA_KEYS", "APEC_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError, match="SECRET_KEY, APEC_DATA_KEYS, APEC_INDEX_KEY"):
        load_settings()


def test_production_refuses_placeholder_and_short_keys(monkeypatch):
    monkeypatch.setenv("APEC_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "change-me")
    monkeypatch.setenv("APEC_DATA_KEYS", "k1:change-me-base64-32-bytes")
    monkeypatch.setenv("APEC_INDEX_KEY", "x")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "SECRET_KEY must be at least 32" in str(error.value)
    assert "APEC_DATA_KEYS entries must be" in str(error.value)
    assert "APEC_INDEX_KEY must be" in str(error.value)


def test_production_with_generated_keys_starts_with_secure_cookies(monkeypatch):
    monkeypatch.setenv("APEC_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", generate_key())
    monkeypatch.setenv("APEC_DATA_KEYS", f"k1:{generate_key()},k0:{generate_key()}")
    monkeypatch.setenv("APEC_INDEX_KEY", generate_key())
    assert load_settings()["SESSION_COOKIE_SECURE"] is True


def _without_keys(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "APEC_DATA_KEYS", "APEC_INDEX_KEY", "APEC_ENV", "APEC_DEMO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APEC_KEY_FILE", str(tmp_path / "keys.toml"))


def test_M2_without_keys_and_outside_demo_mode_the_app_refuses_to_start(monkeypatch, tmp_path):
    _without_keys(monkeypatch, tmp_path)
    with pytest.raises(SettingsError, match=r"No keys: set SECRET_KEY, APEC_DATA_KEYS, APEC_INDEX_KEY .*make demo"):
        load_settings()
    assert not (tmp_path / "keys.toml").exists()


def test_M2_demo_mode_writes_fresh_keys_once_and_keeps_them(monkeypatch, tmp_path):
    import stat

    _without_keys(monkeypatch, tmp_path)
    monkeypatch.setenv("APEC_DEMO", "1")
    first = load_settings()
    path = tmp_path / "keys.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "readable by its owner only"
    monkeypatch.delenv("APEC_DEMO")
    again = load_settings()  # later commands (flask create-staff …) read the same file
    assert [again[name] for name in ("SECRET_KEY", "APEC_DATA_KEYS", "APEC_INDEX_KEY")] == \
        [first[name] for name in ("SECRET_KEY", "APEC_DATA_KEYS", "APEC_INDEX_KEY")]
    monkeypatch.setenv("APEC_DEMO", "1")
    monkeypatch.setenv("APEC_KEY_FILE", str(tmp_path / "other.toml"))
    assert load_settings()["APEC_INDEX_KEY"] != first["APEC_INDEX_KEY"], "each demo machine its own keys"


@pytest.mark.parametrize("name, published", [
    ("SECRET_KEY", "dev-only-secret-key-not-for-production"),
    ("APEC_DATA_KEYS", "k0:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="),
    ("APEC_INDEX_KEY", "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyLWJ5dGU="),
])
def test_M2_the_keys_once_published_here_are_refused_in_every_mode(monkeypatch, name, published):
    monkeypatch.setenv(name, published)
    for mode in ("development", "production"):
        monkeypatch.setenv("APEC_ENV", mode)
        with pytest.raises(SettingsError, match=f"{name}: a key published in this repository"):
            load_settings()
