"""Issue 19, bounds: what a security review sent that gave a 500 or was stored unchecked now gets
a 404 or a clear 422 and changes nothing (L1 ids and dates out of range, L2 a card number given to
two applications at once, L3 a 纳税人识别号 that is not one, L6 a return note without a limit)."""

import datetime

import pytest
from sqlalchemy import func, select

from apec.accounts.models import User
from apec.applications.models import Application, Card, ApplicationMember
from apec.applications.workflow import WorkflowError, transition
from apec.extensions import db

from .conftest import login, submit
from .factories import act, add_person, put_at_status, staff, status, submitted_application
from .test_concurrency import handing_out, run_in_threads

TOO_BIG = ["99999999999999999999", str(2**31), str(2**63)]


@pytest.fixture
def reviewer_and_enterprise(app, client, make_enterprise, make_staff):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    login(client, email)
    make_staff("hunan.office@example.com", province="hunan", office="hunan")
    return {"id": application_id, "enterprise": client, "office": staff(app, "hunan.office@example.com")}


@pytest.mark.parametrize("big", TOO_BIG)
def test_L1_ids_beyond_the_column_range_are_404(reviewer_and_enterprise, big):
    enterprise, office = reviewer_and_enterprise["enterprise"], reviewer_and_enterprise["office"]
    for path in (f"/user-center/applications/{big}", f"/materials/{big}/download", f"/materials/{big}/preview",
                 f"/apply/{big}/form"):
        assert enterprise.get(path).status_code == 404, path
    assert office.get(f"/staff/applications/{big}").status_code == 404
    assert submit(enterprise, f"/user-center/messages/{big}/read", {}, page="/user-center/messages/").status_code == 404
    assert enterprise.get(f"/apply/{reviewer_and_enterprise['id']}/members?member={big}").status_code == 404


@pytest.mark.parametrize("since, until", [("0001-01-01", ""), ("", "9999-12-31"), ("0001-01-01", "9999-12-31")])
def test_L1_list_dates_at_the_ends_of_the_calendar_are_clamped(reviewer_and_enterprise, scalar, since, until):
    number = scalar(select(Application.number))
    office = reviewer_and_enterprise["office"].get(f"/staff/?from={since}&to={until}")
    assert office.status_code == 200 and number in office.get_data(as_text=True)
    own = reviewer_and_enterprise["enterprise"].get(f"/user-center/?from={since}&to={until}")
    assert own.status_code == 200


def test_L1_a_posted_id_out_of_range_is_refused_not_an_error(reviewer_and_enterprise, scalar):
    office, application_id = reviewer_and_enterprise["office"], reviewer_and_enterprise["id"]
    page = f"/staff/applications/{application_id}"
    assigned = submit(office, f"{page}/assign", {"assignee": TOO_BIG[0]}, page=page)
    assert assigned.status_code == 422 and "只能分配给本机构在岗的审核人员" in assigned.get_data(as_text=True)
    batch = submit(office, "/staff/batch-accept", {"application_id": [TOO_BIG[1]]}, page="/staff/")
    assert batch.status_code in (303, 422) and status(scalar, application_id) == "submitted"


def test_L1_a_card_valid_from_year_9999_is_a_422(app, scalar, reviewer_and_enterprise, make_staff):
    application_id = reviewer_and_enterprise["id"]
    put_at_status(app, application_id, "economies_done", "mfa")
    mfa = staff(app, make_staff("hunan.mfa@example.com", province="hunan", office="mfa"))
    member_id = scalar(select(ApplicationMember.id))
    response = act(mfa, scalar, application_id, "issue_card", valid_from="9999-12-31",
                   **{f"card-{member_id}": "APEC12345678"})
    assert response.status_code == 422 and "请填写有效期起始日期" in response.get_data(as_text=True)
    assert scalar(select(func.count(Card.id))) == 0


def test_L2_one_card_number_given_to_two_applications_at_once_is_a_422(app, scalar, make_enterprise, make_staff):
    make_staff("hunan.mfa@example.com", province="hunan", office="mfa")
    applications = []
    for n in range(2):
        enterprise_id, _ = make_enterprise(province="hunan", office="hunan")
        person = add_person(app, enterprise_id, id_number=["110105199805152516", "110105198501010020"][n],
                            passport=f"E1234567{n}")
        applications.append(submitted_application(app, enterprise_id, [person]))
        put_at_status(app, applications[-1], "economies_done", "mfa")
        approve_every_economy(app, applications[-1])
    next_application = handing_out(applications)

    def issue():
        application = db.session.get(Application, next_application())
        actor = db.session.scalar(select(User).where(User.email == "hunan.mfa@example.com"))
        try:
            transition(application, "issue_card", actor, cards={str(application.members[0].id): "APEC87654321"},
                       valid_from=datetime.date.today())
            return "issued"
        except WorkflowError as error:
            return (error.status, error.message)

    results, errors = run_in_threads(app, 2, issue)
    assert not errors, errors
    assert results.count("issued") == 1, results
    refused = next(result for result in results if result != "issued")
    assert refused[0] == 422 and "卡号" in refused[1] and "已" in refused[1]
    assert scalar(select(func.count(Card.id))) == 1
    assert scalar(select(func.count(Application.id)).where(Application.status == "card_ready")) == 1


def approve_every_economy(app, application_id):
    from apec.applications.models import EconomyDecision
    from apec.economies import preclearing_economies

    with app.app_context():
        for member in db.session.get(Application, application_id).members:
            for economy in preclearing_economies():
                db.session.add(EconomyDecision(member_id=member.id, economy=economy.code, decision="approved",
                                               decided_on=datetime.date.today()))
        db.session.commit()


@pytest.mark.parametrize("tax_number, accepted", [
    ("X1", False), ("91430100MA4L2X3K8A", False), ("91430100MA4L2X3K8X", True),  # USCC, check character
    ("430104123456789", True), ("43010412345678901", True), ("43010412345678901234", True),  # 15, 17, 20
    ("4301041234567890", False),
])
def test_L3_the_tax_number_is_a_uscc_or_an_older_tax_registration_number(client, count, make_enterprise,
                                                                          tax_number, accepted):
    from apec.enterprises.models import InvoiceBookEntry

    _, email = make_enterprise(province="hunan", office="hunan")
    login(client, email)
    response = submit(client, "/enterprise/invoices/new", {"title": "湖南测试企业有限公司", "tax_number": tax_number})
    if accepted:
        assert response.status_code == 303 and count(InvoiceBookEntry) == 1
    else:
        assert "纳税人识别号应为 18 位统一社会信用代码" in response.get_data(as_text=True)
        assert count(InvoiceBookEntry) == 0


def test_L6_a_return_note_longer_than_its_limit_is_refused_and_nothing_changes(app, scalar, reviewer_and_enterprise):
    from apec.materials.models import Material

    office, application_id = reviewer_and_enterprise["office"], reviewer_and_enterprise["id"]
    act(office, scalar, application_id, "accept")
    material_id = scalar(select(Material.id).order_by(Material.id))
    response = act(office, scalar, application_id, "return", comment="请重新上传",
                   **{f"material-{material_id}": "y", f"material-note-{material_id}": "很" * 201})
    assert response.status_code == 422 and "的意见不能超过 200 字（现为 201 字）" in response.get_data(as_text=True)
    long_comment = act(office, scalar, application_id, "return", comment="意" * 1001)
    assert long_comment.status_code == 422 and "意见不能超过 1000 字" in long_comment.get_data(as_text=True)
    assert status(scalar, application_id) == "province_review"


def _forms():
    """Every form class of the app, with what its constructor needs beyond the posted data."""
    import importlib
    import pkgutil

    import apec
    from wtforms import Form

    for module in pkgutil.walk_packages(apec.__path__, "apec."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted({form for form in subclasses(Form) if form.__module__.startswith("apec.")},
                  key=lambda form: (form.__module__, form.__name__))


FORM_ARGUMENTS = {"RegistrationForm": lambda: ({},)}


def test_item_8_every_text_field_refuses_a_value_beyond_its_maximum_length(app):
    """Whatever the page's maxlength says, the server refuses a longer value itself: 5,000
    characters in any text field is an error on that field, for every form of the app."""
    from wtforms.fields import EmailField, PasswordField, SearchField, StringField, TelField, TextAreaField
    from werkzeug.datastructures import MultiDict

    text_fields = (StringField, TextAreaField, PasswordField, EmailField, SearchField, TelField)
    checked = 0
    with app.test_request_context(method="POST"):
        for form_class in _forms():
            names = [name for name in dir(form_class)
                     if getattr(getattr(form_class, name), "field_class", None) in text_fields]
            if not names:
                continue
            posted = MultiDict({name: "1" * 5000 for name in names})
            arguments = FORM_ARGUMENTS.get(form_class.__name__, lambda: ())()
            if form_class.__name__ == "BusinessForm":
                from apec.applications.businesses import BUSINESSES
                form = form_class(formdata=posted, meta={"csrf": False}, business=BUSINESSES["replace"])
            else:
                form = form_class(*arguments, formdata=posted, meta={"csrf": False})
            form.validate()
            for name in names:
                if name == "voucher":  # the file comes in request.files; the field only labels it
                    continue
                if name not in form._fields:  # removed where the business does not ask it
                    continue
                assert form[name].errors, f"{form_class.__name__}.{name} took 5,000 characters"
                checked += 1
    assert checked > 40
