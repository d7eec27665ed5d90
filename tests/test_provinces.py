"""The province contract, run over all four plugins, and start-up validation."""

import pytest

from apec import create_app
from apec.provinces.registry import PLUGIN_DIR, ProvinceConfigError, discover_provinces, load_provinces

PROVINCES = tuple(discover_provinces())

from .conftest import settings_for_tests

HEBEI_CITY_OFFICES = [
    ("石家庄市人民政府外事办公室", "050011", "石家庄市长安区中山东路216号（市政府外事办）1012房间"),
    ("承德市人民政府外事办公室", "067000", "承德市双桥区中华路79—3园林局5楼"),
    ("张家口市人民政府外事办公室", "075000", "张家口市经开区长城西大街10号"),
    ("秦皇岛市外事和商务局", "066000", "秦皇岛市海港区友谊路78号"),
    ("唐山市人民政府外事办公室", "063000", "唐山市路北区西山道5号"),
    ("廊坊市人民政府外事办公室", "065000", "廊坊市广阳道230号（廊坊市人民政府）"),
    ("保定市人民政府外事办公室", "071051", "保定市竞秀区东风西路一号"),
    ("沧州市人民政府外事办公室", "061000", "沧州市运河区解放西路39号"),
    ("衡水市人民政府外事办公室", "053000", "衡水市桃城区和平路69号商务局外事科440房间"),
    ("邢台市人民政府外事办公室", "054000", "邢台市桥东区红星街139号政府大院5号楼320房间"),
    ("邯郸市人民政府外事办公室", "056000", "邯郸市丛台区联通北路1号(邯郸市人民政府西院)"),
    ("定州市人民政府外事办公室", "073000", "定州市中山中路一号政府大院"),
    ("辛集市人民政府外事办公室", "052360", "辛集市市府街1号"),
    ("雄安新区党政办", "071700", "保定市容城县白洋淀大道锦泰花园A区7-1"),
]

LIAONING_OFFICES = [
    ("辽宁省外事管理服务大厅", "024-86892606"),
    ("沈阳市人民政府外事办公室", "024-22741318"),
    ("大连市人民政府外事办公室", "0411-83632125"),
    ("鞍山市人民政府外事办公室", "0412-5502123"),
    ("抚顺市人民政府外事办公室", "024-57500548"),
    ("本溪市人民政府外事办公室", "024-42821107"),
    ("丹东市人民政府外事办公室", "0415-2124503"),
    ("锦州市人民政府外事办公室", "0416-3872177"),
    ("营口市人民政府外事办公室", "0417-2998411"),
    ("阜新市人民政府外事办公室", "0418-6080015"),
    ("辽阳市人民政府外事办公室", "0419-2125705"),
    ("铁岭市人民政府外事办公室", "024-72682060"),
    ("朝阳市人民政府外事办公室", "0421-2858052"),
    ("盘锦市人民政府外事办公室", "0427-2823817"),
    ("葫芦岛市人民政府外事办公室", "0429-3185077"),
]


@pytest.fixture(scope="module")
def provinces(tmp_path_factory):
    return load_provinces(list(PROVINCES), tmp_path_factory.mktemp("no-overrides"))


# --- the contract every province answers -------------------------------------------------


@pytest.mark.parametrize("code", PROVINCES)
def test_every_registration_office_reaches_the_mfa_through_the_chain(provinces, code):
    province = provinces[code]
    offices = province.registration_offices()
    assert offices, "enterprises must have an office to register with"
    for office_code, office in offices:
        path = province.review_path(office_code)
        stages = [province.office(step).stage for step in path]
        assert path[0] == office_code
        assert stages[-1] == "mfa"
        chain = list(province.config.workflow.chain)
        assert stages == sorted(stages, key=chain.index), f"{office_code} goes backwards: {stages}"


@pytest.mark.parametrize("code", PROVINCES)
def test_every_province_offers_all_six_business_types_with_labels(provinces, code):
    types = dict(provinces[code].business_types())
    assert set(types) == {"new", "renew", "early", "replace", "passport", "cancel"}
    assert all(label for label in types.values())


@pytest.mark.parametrize("code", PROVINCES)
def test_every_province_has_branding_and_fee(provinces, code):
    province = provinces[code]
    assert province.branding.title and province.branding.authority
    assert province.config.fees.card_fee == 720
    assert province.config.fees.account == "9558850200001278881"


# --- each province's offices as its guide lists them -------------------------------------


def test_hebei_lists_its_14_city_offices_with_postcode_and_address_in_guide_order(provinces):
    hebei = provinces["hebei"]
    cities = [(o.name, o.postcode, o.address) for _, o in hebei.offices() if o.stage == "city"]
    assert cities == HEBEI_CITY_OFFICES
    assert hebei.review_path("shijiazhuang") == ["shijiazhuang", "hebei", "mfa"]
    assert hebei.config.workflow.withdraw_before_acceptance is True


def test_liaoning_lists_its_15_offices_with_phone_and_shenyang_dalian_report_to_mfa(provinces):
    liaoning = provinces["liaoning"]
    offices = [(o.name, o.phone) for _, o in liaoning.offices() if o.stage != "mfa"]
    assert offices == LIAONING_OFFICES
    assert all(o.address for _, o in liaoning.offices() if o.stage != "mfa")
    assert liaoning.review_path("shenyang") == ["shenyang", "mfa"]
    assert liaoning.review_path("dalian") == ["dalian", "mfa"]
    assert liaoning.review_path("anshan") == ["anshan", "liaoning", "mfa"]
    assert liaoning.config.eligibility.min_employees == 10
    assert liaoning.config.eligibility.min_tax_grade == "M"


@pytest.mark.parametrize("code, office_name, label_passport", [
    ("hunan", "湖南省人民政府外事办公室", "未制卡仅更换护照"),
    ("guangxi", "广西壮族自治区外事办公室", "制卡前更换护照"),
])
def test_hunan_and_guangxi_have_their_province_office_then_the_mfa(provinces, code, office_name, label_passport):
    province = provinces[code]
    assert [(o.name, o.stage) for _, o in province.offices()] == [(office_name, "province"), ("外交部领事司", "mfa")]
    assert province.review_path(code) == [code, "mfa"]
    assert province.label("passport") == label_passport


# --- start-up validation names the file and the key --------------------------------------


def write_override(directory, code, text):
    (directory / f"{code}.toml").write_text(text, encoding="utf-8")
    return directory / f"{code}.toml"


def test_override_changes_a_rule(tmp_path):
    write_override(tmp_path, "liaoning", "[workflow]\nwithdraw_before_acceptance = true\n"
                   "[offices.dalian]\npickup_methods = ['self', 'mail']\n")
    liaoning = load_provinces(["liaoning"], tmp_path)["liaoning"]
    assert liaoning.config.workflow.withdraw_before_acceptance is True
    assert liaoning.office("dalian").pickup_methods == ("self", "mail")
    assert liaoning.office("dalian").phone == "0411-83632125", "unchanged keys keep the plugin's value"


@pytest.mark.parametrize("override, key, fragment", [
    ("[workflow]\nwithdraw_before_acceptence = true\n", "workflow.withdraw_before_acceptence", "Extra inputs"),
    ("[workflow]\nwithdraw_before_acceptance = 'yes'\n", "workflow.withdraw_before_acceptance", "boolean"),
    ("[fees]\ncard_fee = '720'\n", "fees.card_fee", "integer"),
    ("[offices.dalian]\nreports_to = 'beijing'\n", "offices.dalian.reports_to", "unknown office code 'beijing'"),
    ("[offices.dalian]\nstage = 'county'\n", "offices.dalian.stage", "'city', 'province' or 'mfa'"),
    ("[offices.jinzhou2]\nstage = 'city'\n", "offices.jinzhou2.name", "Field required"),
    ("[workflow]\nchain = ['city', 'mfa']\n", "offices.liaoning.stage", "not in workflow.chain"),
    ("[labels]\npasport = '换护照'\n", "labels.pasport", "neither a business type nor a status code"),
    ("[workflow]\nremittance_material = 'huikuan'\n", "workflow.remittance_material", "needs remittance_material"),
    ("[eligibility]\ncriminal_record_material = 'none'\n", "eligibility.criminal_record_material",
     "needs criminal_record_material"),
    # Switches that the wizard cannot carry out say what it lacks.
    ("[workflow]\napplication_unit = 'batch'\n", "wizard.steps", "needs a members step"),
    ("[workflow]\napplication_unit = 'batch'\n[wizard]\nsteps = ['form', 'members', 'pickup', 'confirm']\n",
     "wizard.steps", "uploads each member's files on the materials step"),
    ("[wizard]\nsteps = ['form', 'members', 'materials', 'pickup', 'confirm']\n", "wizard.steps",
     "remove the members step"),
    ("[workflow]\npayment_stage = 'chosen_at_report'\n", "workflow.payment_stage", "add the report step"),
    ("[wizard.business_steps]\nnew = ['form', 'confirm']\n", "wizard.business_steps.new", "takes wizard.steps"),
    ("[wizard.business_steps]\nearly = ['form', 'sign']\n", "wizard.business_steps.early", "Input should be"),
    # 社保 and 禁办情形 are asked on 在线填表's 申报条件, of the one applicant.
    ("[wizard]\ndeclaration = false\n", "eligibility.min_social_insurance_months", "set wizard.declaration = true"),
    ("[wizard]\ndeclaration = false\n", "materials.new.3.trade_kinds", "set wizard.declaration = true"),
    ("[workflow]\napplication_unit = 'batch'\n[wizard]\nsteps = ['form', 'members', 'materials', 'pickup', 'confirm']\n",
     "eligibility.min_social_insurance_months", "application_unit single"),
])
def test_bad_override_stops_start_up_naming_file_and_key(tmp_path, override, key, fragment):
    path = write_override(tmp_path, "liaoning", override)
    with pytest.raises(ProvinceConfigError) as error:
        load_provinces(["liaoning"], tmp_path)
    message = str(error.value)
    assert str(path) in message
    assert key in message
    assert fragment in message


def test_broken_toml_names_the_file(tmp_path):
    path = write_override(tmp_path, "hebei", "[workflow\n")
    with pytest.raises(ProvinceConfigError, match=str(path)):
        load_provinces(["hebei"], tmp_path)


def test_unknown_province_in_apec_provinces_is_refused(tmp_path):
    with pytest.raises(ProvinceConfigError, match="APEC_PROVINCES: unknown province 'shanghai'"):
        load_provinces(["hebei", "shanghai"], tmp_path)


def test_plugin_data_file_is_blamed_when_the_override_does_not_touch_the_key(tmp_path, monkeypatch):
    """An error in province.toml itself names province.toml, not the override."""
    import tomllib

    write_override(tmp_path, "hunan", "[workflow]\nrenew_within_months = 6\n")
    original = tomllib.load

    def broken_load(handle):
        data = original(handle)
        if data.get("code") == "hunan":
            data["branding"]["primary_color"] = "red"
        return data

    monkeypatch.setattr(tomllib, "load", broken_load)
    with pytest.raises(ProvinceConfigError) as error:
        load_provinces(["hunan"], tmp_path)
    assert str(PLUGIN_DIR / "hunan" / "province.toml") in str(error.value)
    assert "branding.primary_color" in str(error.value)


def test_create_app_refuses_to_start_with_a_bad_override(tmp_path):
    write_override(tmp_path, "hebei", "[offices.shijiazhuang]\npostcode = 'ABC'\n")
    with pytest.raises(ProvinceConfigError, match="offices.shijiazhuang.postcode"):
        create_app(settings_for_tests(tmp_path, APEC_PROVINCE_OVERRIDES=tmp_path, APEC_PROVINCES=["hebei"]))


@pytest.mark.parametrize("province, office, start_label, hint", [
    ("hunan", "hunan", "申请办理", "如 HUNAN 或 湖南"), ("guangxi", "guangxi", "新卡申办", "如 GUANGXI 或 广西"),
    ("hebei", "shijiazhuang", "业务申报", "如 HEBEI 或 河北"), ("liaoning", "jinzhou", "申请办理", "如 LIAONING 或 辽宁"),
])
def test_each_province_words_its_start_button_and_passport_place_hint(client, make_enterprise, province, office,
                                                                       start_label, hint):
    from .conftest import login

    _, email = make_enterprise(province=province, office=office)
    login(client, email)
    centre = client.get("/user-center/").get_data(as_text=True)
    assert f'<a class="button" href="/apply/">{start_label}</a>' in centre
    form = client.get("/enterprise/persons/new").get_data(as_text=True)
    place = form[form.index('id="field-passport_place"'):]
    assert f'<p class="hint">{hint}</p>' in place[:place.index("</div>")]


@pytest.mark.parametrize("province, button", [("hunan", "确认"), ("guangxi", "登录"), ("hebei", "确认"),
                                              ("liaoning", "确认")])
def test_the_login_button_is_worded_as_the_provinces_guide(client, province, button):
    client.get(f"/province/{province}")
    page = client.get("/login").get_data(as_text=True)
    assert f'<button type="submit" class="button">{button}</button>' in page
