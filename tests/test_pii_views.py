"""Issue 19, M3: every page or file that shows a person's full identity number or a scan of their
papers writes who saw what of whom, and from where, to the audit log — the person form, the
Guangxi member form, the 个人事项表 PDF, each material's preview and download, the staff page's
显示完整证件号码 — and a province admin opening any file of the province leaves the same trace."""

import pytest
from sqlalchemy import select

from apec.accounts.models import User
from apec.audit import AuditLog
from apec.enterprises.models import Person
from apec.materials.models import Material

from .conftest import login
from .factories import add_person, member_page, staff, submitted_application
from .test_documents import guangxi_member  # noqa: F401 - the fixture

PII_DETAIL = ("what", "person_id", "application_id", "material_id")


@pytest.fixture
def pii_log(app):
    """pii_log(email): the pii_view entries of that user, as (what, …ids) tuples, oldest first."""
    from apec.extensions import db

    def read(email):
        with app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.email == email))
            rows = db.session.scalars(select(AuditLog).where(AuditLog.event == "pii_view", AuditLog.user_id == user_id)
                                      .order_by(AuditLog.id)).all()
            assert all(row.ip == "127.0.0.1" for row in rows), "where from"
            return [tuple((row.detail or {}).get(key) for key in PII_DETAIL) for row in rows]
    return read


def test_the_person_form_with_the_full_numbers_is_logged(client, scalar, make_enterprise, pii_log, app):
    enterprise_id, email = make_enterprise(province="hunan", office="hunan")
    person_id = add_person(app, enterprise_id)
    login(client, email)
    page = client.get(f"/enterprise/persons/{person_id}/edit").get_data(as_text=True)
    assert "110105199805152516" in page, "the form shows the number in full"
    assert pii_log(email) == [("person_form", person_id, None, None)]


def test_the_guangxi_member_form_and_the_personal_form_pdf_are_logged(client, scalar, guangxi_member, pii_log):
    application_id, member_id, email = guangxi_member
    person_id = scalar(select(Person.id))
    assert client.get(member_page(application_id, member_id)).status_code == 200
    assert client.get(f"/documents/{application_id}/personal_form.pdf?member={member_id}").status_code == 200
    assert pii_log(email) == [("member_form", person_id, application_id, None),
                              ("document", person_id, application_id, None)]


def test_each_material_served_is_logged_for_the_enterprise_staff_and_the_province_admin(
        app, client, scalar, make_enterprise, make_staff, pii_log):
    enterprise_id, email = make_enterprise(province="hebei", office="shijiazhuang")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    passport = scalar(select(Material.id).where(Material.kind == "passport_page"))
    person_id = scalar(select(Person.id))
    login(client, email)
    assert client.get(f"/materials/{passport}/download").status_code == 200
    assert client.get(f"/materials/{passport}/preview").status_code == 200
    assert pii_log(email) == [("material", person_id, application_id, passport)], \
        "the preview page serves no bytes itself; the file it frames is logged"
    assert client.get(f"/materials/{passport}/file").status_code == 200
    assert len(pii_log(email)) == 2

    make_staff("sjz@example.com", province="hebei", office="shijiazhuang")
    reviewer = staff(app, "sjz@example.com")
    assert reviewer.get(f"/materials/{passport}/file").status_code == 200
    assert reviewer.get(f"/staff/applications/{application_id}?full=1").status_code == 200
    assert pii_log("sjz@example.com") == [("material", person_id, application_id, passport),
                                          ("identity_numbers", None, application_id, None)]

    make_staff("admin.hebei@example.com", role="province_admin", province="hebei", office=None)
    admin = staff(app, "admin.hebei@example.com")
    assert admin.get(f"/materials/{passport}/download").status_code == 200
    assert pii_log("admin.hebei@example.com") == [("material", person_id, application_id, passport)]


def test_a_refused_view_leaves_no_entry(app, client, scalar, make_enterprise, pii_log):
    enterprise_id, _ = make_enterprise(province="hebei", office="shijiazhuang")
    submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    passport = scalar(select(Material.id).where(Material.kind == "passport_page"))
    _, other = make_enterprise(province="hebei", office="shijiazhuang")
    login(client, other)
    assert client.get(f"/materials/{passport}/download").status_code == 404
    assert pii_log(other) == []
