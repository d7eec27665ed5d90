"""成员: add and edit with passport data, pinyin proposal, 成员核查, masking, 404s."""

import datetime

from sqlalchemy import select

from apec.applications.models import ApplicationMember
from apec.audit import AuditLog
from apec.enterprises.models import Person

from .conftest import csrf_token_from, login, submit
from .factories import start

NEXT_YEARS = (datetime.date.today() + datetime.timedelta(days=3 * 365)).isoformat()
PERSON = {
    "name": "单雄信", "surname_pinyin": "", "given_name_pinyin": "", "id_number": "110105199805152516",
    "gender": "", "birth_date": "", "mobile": "13800000001", "position": "外贸经理",
    "passport_number": "E26895502", "passport_type": "普通", "passport_issue_date": "2023-03-01",
    "passport_expiry_date": NEXT_YEARS, "passport_authority": "国家移民管理局", "passport_place": "北京",
    "action": "save",
}


def add_person(client, **changes):
    return submit(client, "/enterprise/persons/new", dict(PERSON, **changes))


def signed_in(client, make_enterprise, **kwargs):
    enterprise_id, email = make_enterprise(**kwargs)
    login(client, email)
    return enterprise_id


def test_added_person_gets_pinyin_with_surname_override_gender_and_birth_date(client, scalar, make_enterprise):
    signed_in(client, make_enterprise)
    assert add_person(client).status_code == 303
    person = scalar(select(Person))
    assert (person.surname_pinyin, person.given_name_pinyin) == ("SHAN", "XIONGXIN")
    assert person.gender == "M" and person.birth_date == datetime.date(1998, 5, 15)


def test_person_list_masks_identity_numbers_and_detail_shows_them_with_an_audit_entry(client, scalar, make_enterprise):
    signed_in(client, make_enterprise)
    add_person(client)
    listing = client.get("/enterprise/persons").get_data(as_text=True)
    assert "1101**********2516" in listing
    assert "110105199805152516" not in listing and "E26895502" not in listing
    person_id = scalar(select(Person.id))
    detail = client.get(f"/enterprise/persons/{person_id}").get_data(as_text=True)
    assert "110105199805152516" in detail and "E26895502" in detail
    assert scalar(select(AuditLog.event).where(AuditLog.event == "pii_view")) == "pii_view"


def test_edited_pinyin_is_kept(client, scalar, make_enterprise):
    signed_in(client, make_enterprise)
    add_person(client, surname_pinyin="shan", given_name_pinyin="xiong xin")
    assert scalar(select(Person.given_name_pinyin)) == "XIONG XIN"


def test_bad_person_input_is_explained_and_nothing_stored(client, scalar, make_enterprise):
    signed_in(client, make_enterprise)
    response = add_person(
        client, id_number="110105199805152517", passport_number="X123",
        passport_expiry_date="2020-01-01", gender="F",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "身份证号不正确" in page
    assert "护照号码格式不正确" in page
    assert "有效期至须晚于签发日期" in page
    assert 'value="单雄信"' in page
    assert scalar(select(Person)) is None


def test_gender_that_contradicts_the_id_number_is_refused(client, make_enterprise):
    signed_in(client, make_enterprise)
    response = add_person(client, gender="F")
    assert response.status_code == 422
    assert "性别与身份证号不一致" in response.get_data(as_text=True)


def test_same_id_number_twice_in_one_enterprise_is_refused(client, make_enterprise):
    signed_in(client, make_enterprise)
    add_person(client)
    response = add_person(client, name="另一人")
    assert response.status_code == 422
    assert "本企业已有该身份证号的成员" in response.get_data(as_text=True)


def test_member_check_brings_up_what_was_entered_before(client, scalar, make_enterprise):
    signed_in(client, make_enterprise)
    add_person(client)
    response = submit(client, "/enterprise/persons/new", {"id_number": "110105199805152516", "action": "check"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "成员核查：已找到 单雄信" in page
    assert 'value="E26895502"' in page and 'value="外贸经理"' in page


def test_member_check_without_a_match_keeps_the_form(client, make_enterprise):
    signed_in(client, make_enterprise)
    response = submit(client, "/enterprise/persons/new", {"id_number": "110105199805152516", "action": "check", "name": "张三"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "未找到该身份证号的成员" in page and 'value="张三"' in page


def test_member_check_never_finds_another_enterprises_person(app, make_enterprise):
    first = app.test_client()
    signed_in(first, make_enterprise)
    add_person(first)
    second = app.test_client()
    signed_in(second, make_enterprise)
    response = submit(second, "/enterprise/persons/new", {"id_number": "110105199805152516", "action": "check"})
    assert "未找到该身份证号的成员" in response.get_data(as_text=True)


def test_another_enterprises_person_is_a_404(app, scalar, make_enterprise):
    first = app.test_client()
    signed_in(first, make_enterprise)
    add_person(first)
    person_id = scalar(select(Person.id))
    second = app.test_client()
    signed_in(second, make_enterprise)
    assert second.get(f"/enterprise/persons/{person_id}").status_code == 404
    assert second.get(f"/enterprise/persons/{person_id}/edit").status_code == 404
    response = submit(second, f"/enterprise/persons/{person_id}/edit", dict(PERSON, name="改名"), page="/enterprise/persons")
    assert response.status_code == 404
    assert scalar(select(Person.name)) == "单雄信"


def test_pinyin_is_proposed_inline_while_typing_the_name(client, make_enterprise):
    signed_in(client, make_enterprise)
    token = csrf_token_from(client.get("/enterprise/persons/new").get_data(as_text=True))
    response = client.post("/enterprise/persons/pinyin", data={"name": "吕布", "csrf_token": token},
                           headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert 'value="LYU"' in fragment and 'value="BU"' in fragment


def test_person_added_from_a_batch_joins_it_and_the_form_leads_back_to_it(client, scalar, count, make_enterprise):
    signed_in(client, make_enterprise, province="hebei", office="shijiazhuang")
    application_id = start(client)
    form = client.get(f"/apply/{application_id}/persons/new").get_data(as_text=True)
    assert f'href="/apply/{application_id}/members">返回申请单' in form
    assert 'class="active" aria-current="page">业务申报<' in form, "the menu shows where the user is"
    response = submit(client, f"/apply/{application_id}/persons/new", PERSON)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/apply/{application_id}/members")
    assert count(ApplicationMember) == 1, "the new person is in the 申报 at once"
    assert scalar(select(Person.name)) == "单雄信"


def test_member_check_from_an_application_stays_with_the_application(client, scalar, make_enterprise):
    signed_in(client, make_enterprise, province="hebei", office="shijiazhuang")
    assert add_person(client).status_code == 303
    person_id = scalar(select(Person.id))
    application_id = start(client)
    response = submit(client, f"/apply/{application_id}/persons/new",
                      {"id_number": PERSON["id_number"], "action": "check"})
    assert response.headers["Location"].endswith(f"/apply/{application_id}/persons/{person_id}/edit")
    saved = submit(client, f"/apply/{application_id}/persons/{person_id}/edit", dict(PERSON, position="总经理"))
    assert saved.headers["Location"].endswith(f"/apply/{application_id}/members")
    assert scalar(select(Person.position)) == "总经理"


def test_person_added_from_a_per_applicant_form_goes_back_to_the_form(client, count, make_enterprise):
    signed_in(client, make_enterprise, province="hunan", office="hunan")
    application_id = start(client)
    response = submit(client, f"/apply/{application_id}/persons/new", PERSON)
    assert response.headers["Location"].endswith(f"/apply/{application_id}/form")
    assert count(ApplicationMember) == 0, "the applicant is chosen on 在线填表"


def test_another_enterprises_application_has_no_person_form(client, make_enterprise):
    signed_in(client, make_enterprise, province="hebei", office="shijiazhuang")
    application_id = start(client)
    client.get("/logout")
    other = client.application.test_client()
    signed_in(other, make_enterprise, province="hebei", office="shijiazhuang")
    assert other.get(f"/apply/{application_id}/persons/new").status_code == 404
