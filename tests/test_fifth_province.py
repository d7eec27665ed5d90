"""A fifth province is a folder with one province.toml and no Python: copied from Hunan's under a
new code into an operator's plugin folder (APEC_PLUGIN_DIR), it is served like the others."""

import pytest

from apec import create_app
from apec.accounts.services import register_enterprise
from apec.extensions import db
from apec.provinces.registry import PLUGIN_DIR, ProvinceConfigError, discover_provinces, load_provinces

from .conftest import DEMO_PASSWORD, login, settings_for_tests, submit


def hainan_folder(tmp_path):
    folder = tmp_path / "plugins" / "hainan"
    folder.mkdir(parents=True)
    text = (PLUGIN_DIR / "hunan" / "province.toml").read_text(encoding="utf-8")
    text = text[:text.index("[demo]")]  # demo data is optional
    text = (text.replace('code = "hunan"', 'code = "hainan"').replace('name = "湖南省"', 'name = "海南省"')
            .replace("湖南省APEC商务旅行卡网上办理", "海南省APEC商务旅行卡网上办理")
            .replace("湖南省人民政府外事办公室", "海南省人民政府外事办公室").replace('logo_text = "湘"', 'logo_text = "琼"'))
    (folder / "province.toml").write_text(text, encoding="utf-8")
    assert not list(folder.glob("*.py")), "no Python"
    return folder.parent


def test_a_copied_folder_is_served_as_a_new_province(app, tmp_path):
    plugins = hainan_folder(tmp_path)
    assert "hainan" in discover_provinces(plugins) and "hainan" not in discover_provinces()
    # The suite's database, whose schema is there already.
    hainan = create_app(settings_for_tests(
        tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], APEC_PLUGIN_DIR=str(plugins),
        APEC_PROVINCES=["hainan", "hunan"],
    ))
    with hainan.app_context():
        user = register_enterprise(name="海南椰风贸易有限公司", uscc="91460100MA5T0PQ41H", legal_representative="符海",
                                   ownership="private", province="hainan", office_code="hunan",
                                   email="qiye@hainan.example.com", password=DEMO_PASSWORD)
        assert user.province == "hainan"
        db.session.remove()
    client = hainan.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "海南省APEC商务旅行卡网上办理" in home
    assert login(client, "qiye@hainan.example.com").status_code == 303
    started = submit(client, "/apply/start", {"business_type": "new"}, page="/apply/")
    assert started.status_code == 303
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "在线填表" in page and "海南省APEC商务旅行卡网上办理" in page
    with hainan.app_context():
        db.engine.dispose()


def test_the_copy_is_checked_like_any_province(tmp_path):
    plugins = hainan_folder(tmp_path)
    toml = plugins / "hainan" / "province.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('primary_color = "#9b1b1f"', 'primary_color = "red"'),
                    encoding="utf-8")
    with pytest.raises(ProvinceConfigError) as error:
        load_provinces(["hainan"], tmp_path, plugins)
    assert str(toml) in str(error.value) and "branding.primary_color" in str(error.value)
