"""Work sharing within an office: 认领, 释放, 分配 to a colleague; 我认领的 and 未认领 in the 待办."""

import pytest
from sqlalchemy import select

from apec.applications.models import Application, TimelineEvent

from .conftest import login, submit
from .factories import act, add_person, staff, submitted_application


@pytest.fixture
def office(app, scalar, make_enterprise, make_staff):
    enterprise_id, email = make_enterprise(province="hebei", office="cangzhou")
    application_id = submitted_application(app, enterprise_id, [add_person(app, enterprise_id)])
    for name in ("zhang", "li"):
        make_staff(f"{name}@example.com", province="hebei", office="cangzhou")
    make_staff("handan@example.com", province="hebei", office="handan")
    return {"id": application_id, "email": email, "number": scalar(select(Application.number)),
            "zhang": staff(app, "zhang@example.com"), "li": staff(app, "li@example.com")}


def assign(client, application_id, assignee):
    page = f"/staff/applications/{application_id}"
    return submit(client, f"{page}/assign", {"assignee": assignee}, page=page)


def user_id(scalar, email):
    from apec.accounts.models import User

    return scalar(select(User.id).where(User.email == email))


def test_claim_release_and_assign(app, scalar, office):
    zhang, li, application_id = office["zhang"], office["li"], office["id"]
    assert assign(zhang, application_id, "me").status_code == 303
    assert scalar(select(Application.assignee_id)) == user_id(scalar, "zhang@example.com")
    taken = assign(li, application_id, "me")
    assert taken.status_code == 409 and "已由" in taken.get_data(as_text=True) and "认领" in taken.get_data(as_text=True)
    assert assign(li, application_id, "").status_code == 409, "only the one who claimed it releases it"
    assert f"<td>{office['number']}</td>" in zhang.get("/staff/?who=mine").get_data(as_text=True)
    assert f"<td>{office['number']}</td>" not in li.get("/staff/?who=mine").get_data(as_text=True)
    assert f"<td>{office['number']}</td>" not in li.get("/staff/?who=unassigned").get_data(as_text=True)

    assert assign(zhang, application_id, str(user_id(scalar, "li@example.com"))).status_code == 303
    assert f"<td>{office['number']}</td>" in li.get("/staff/?who=mine").get_data(as_text=True)
    assert assign(li, application_id, "").status_code == 303
    assert scalar(select(Application.assignee_id)) is None
    assert f"<td>{office['number']}</td>" in li.get("/staff/?who=unassigned").get_data(as_text=True)
    detail = li.get(f"/staff/applications/{application_id}").get_data(as_text=True)
    for line in ("zhang", "认领", "分配给", "释放"):
        assert line in detail, line


def test_assignment_stays_in_the_office_and_off_the_enterprise_pages(app, client, scalar, office):
    handan = user_id(scalar, "handan@example.com")
    refused = assign(office["zhang"], office["id"], str(handan))
    assert refused.status_code == 422 and "只能分配给本机构在岗的审核人员" in refused.get_data(as_text=True)
    assign(office["zhang"], office["id"], "me")
    act(office["zhang"], scalar, office["id"], "accept")
    act(office["zhang"], scalar, office["id"], "forward")
    assert scalar(select(Application.assignee_id)) is None, "it left the office: the claim ends"
    login(client, office["email"])
    page = client.get(f"/user-center/applications/{office['id']}").get_data(as_text=True)
    assert "认领" not in page, "the office's housekeeping is not the enterprise's"
