"""查询 for staff: an application by its number, or by a member's name, passport or ID number,
among those the office may see (it holds them or handled them). Identity numbers are found
through their blind index, never by decrypting; each search is written to the audit log."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..applications.access import overseen_offices
from ..applications.models import Application, ApplicationMember, TimelineEvent
from ..crypto import blind_index
from ..enterprises.models import Person
from ..extensions import db
from ..validators import mask_identity, normalize

SEARCH_KEYS = {"number": "申请单号", "name": "申请人姓名", "passport": "护照号", "id_number": "身份证号"}
MAX_RESULTS = 50


@dataclass(frozen=True)
class SearchResult:
    applications: list[Application]
    refusal: str | None = None      # why nothing was searched (the input is unusable)
    more: bool = False              # there were more than MAX_RESULTS


def search_applications(actor, key: str, text: str) -> SearchResult:
    text = text.strip()
    if key not in SEARCH_KEYS:
        return SearchResult([], "请选择查询方式。")
    if key == "name" and len(text) < 2:
        return SearchResult([], "请输入申请人姓名（至少 2 个字）。")
    if key == "number" and len(text) < 6:
        return SearchResult([], "请输入申请单号（至少 6 位）。")
    if not text:
        return SearchResult([], f"请输入{SEARCH_KEYS[key]}。")
    audit.record("staff_search", user=actor, key=key,
                 text=mask_identity(normalize(text)) if key in ("passport", "id_number") else text)
    db.session.commit()  # before the results are loaded: a commit would expire them
    statement = visible_to(actor, select(Application))
    if key == "number":
        statement = statement.where(Application.number.contains(text.upper(), autoescape=True))
    else:
        persons = select(Person.id)
        if key == "name":
            persons = persons.where(Person.name.contains(text, autoescape=True))
        elif key == "passport":
            persons = persons.where(Person.passport_number_index == blind_index(normalize(text)))
        else:
            persons = persons.where(Person.id_number_index == blind_index(normalize(text)))
        members = select(ApplicationMember.application_id).where(ApplicationMember.person_id.in_(persons))
        statement = statement.where(Application.id.in_(members))
    found = list(db.session.scalars(
        statement.order_by(Application.first_submitted_at.desc(), Application.id.desc()).limit(MAX_RESULTS + 1)
        .options(selectinload(Application.enterprise), selectinload(Application.members))))
    return SearchResult(found[:MAX_RESULTS], more=len(found) > MAX_RESULTS)


def visible_to(actor, statement):
    """Applications of the reviewer's province, submitted, that are at their office or passed
    through it, and for the province office those at a 市外办 (the rule of applications.access.can_view)."""
    handled = select(TimelineEvent.application_id).where(TimelineEvent.office_code == actor.office_code)
    offices = {actor.office_code} | overseen_offices(actor)
    return statement.where(
        Application.province == actor.province, Application.status != "draft",
        or_(Application.office_code.in_(offices), Application.id.in_(handled)))
