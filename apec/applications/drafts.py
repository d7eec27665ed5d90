"""Changes to an application while the enterprise fills it in (status 暂存 or 已反馈审核意见).

Each function saves one step and commits, so a draft survives logout;
what a user typed into a step that did not validate is kept as well.
"""

from sqlalchemy import select

from .. import audit
from ..crypto import decrypt, encrypt
from ..enterprises.models import AddressBookEntry, Enterprise, InvoiceBookEntry, Person
from ..enterprises.persons import create_person, find_person, update_person
from ..extensions import db
from ..materials.operations import delete_material
from ..materials.storage import get_storage
from ..models_base import utcnow
from ..provinces.registry import get_province
from .businesses import NEW_PASSPORT_NUMBER, OTHER
from .eligibility import declared_cases, member_refusal, related_member_refusal
from .models import Application, ApplicationMember
from .states import EDITABLE
from .workflow import business_refusal

NOT_KEPT = ("csrf_token", "password", "confirm", "action", "version")
# Kept like every other input, but sealed: a database dump shows no identity numbers.
SEALED = ("id_number", "passport_number")


class DraftError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_editable(application: Application) -> bool:
    return application.status in EDITABLE


def start_application(enterprise: Enterprise, actor, business_type: str) -> Application:
    """A new 暂存 — or the one this user started for this business and left empty, so that
    clicking 申请新办 again does not pile up empty drafts."""
    left_empty = next((draft for draft in db.session.scalars(
        select(Application).where(Application.enterprise_id == enterprise.id, Application.created_by_id == actor.id,
                                  Application.business_type == business_type, Application.status == "draft",
                                  Application.number.is_(None)).order_by(Application.id)
    ) if is_empty(draft)), None)
    if left_empty is not None:
        return left_empty
    application = Application(
        province=enterprise.province, office_code=enterprise.office_code, enterprise_id=enterprise.id,
        created_by_id=actor.id, business_type=business_type, status="draft",
        contact_name=actor.name if actor.role == "handler" else "", contact_phone=actor.mobile or "", extra={},
    )
    db.session.add(application)
    audit.record("application_started", user=actor, business_type=business_type)
    db.session.commit()
    return application


def start_related(parent: Application, actor, business_type: str, person_id: int | None = None,
                  reason: str | None = None) -> Application:
    """A 暂存 of a related business (提前制卡, 换补卡, 未制卡仅更换护照, 注销卡) on `parent`, with the
    parent's members this business is for (or only the card holder `person_id` chosen) and its
    contact, and the `reason` chosen with the business (Hebei); the one already started if there is
    one. WorkflowError (nothing stored) if the parent does not allow it now."""
    if (refused := business_refusal(parent, business_type, actor)) is not None:
        raise refused
    started = db.session.scalar(select(Application).where(
        Application.parent_id == parent.id, Application.business_type == business_type,
        Application.status == "draft").order_by(Application.id))
    if started is not None:
        chosen = db.session.get(Person, person_id) if person_id else None
        if chosen is not None and all(member.person_id != person_id for member in started.members):
            try:
                add_member(started, chosen)  # the card or person chosen now joins the 暂存 begun before
            except DraftError:
                pass  # one this business does not take: the 暂存 stays as it was
        return started
    application = Application(
        province=parent.province, office_code=parent.enterprise.office_code, enterprise_id=parent.enterprise_id,
        created_by_id=actor.id, business_type=business_type, parent=parent, status="draft",
        contact_name=parent.contact_name, contact_phone=parent.contact_phone, extra={}, reason=reason,
    )
    db.session.add(application)
    # The parent's members this business is for (a 团组's members without a valid card are not).
    eligible = [member.person for member in parent.members if related_member_refusal(application, member.person) is None
                and person_id in (None, member.person_id)]
    if business_type == "passport":
        eligible = eligible[:1]  # one new passport: one person (another is chosen on the members step)
    for position, person in enumerate(eligible):
        db.session.add(ApplicationMember(application=application, person_id=person.id, position=position))
    audit.record("application_started", user=actor, business_type=business_type)
    db.session.commit()
    return application


def is_empty(application: Application) -> bool:
    """Nothing entered yet: no member, no file, no step saved or kept."""
    extra = application.extra or {}
    return not application.members and not application.materials and application.pickup_method is None \
        and not application.purpose and not any(key in extra for key in ("notice_ack", "declaration", "unsaved"))


def may_delete(application: Application, actor) -> bool:
    """A 暂存 never submitted is its enterprise's to delete; once submitted it has a number and a
    history, and is withdrawn or refused instead."""
    return application.status == "draft" and application.number is None and actor.is_enterprise_user \
        and actor.enterprise_id == application.enterprise_id


def delete_draft(application: Application, actor) -> None:
    """删除 a never-submitted 暂存 with its members and uploads (the bytes too)."""
    files = list(application.materials) + list(application.material_history)
    keys = [material.stored_name for material in files]
    for row in files + list(application.members):
        db.session.delete(row)
    db.session.flush()  # files and members first: the files' link to the application is view-only
    audit.record("draft_deleted", user=actor, application_id=application.id, business_type=application.business_type)
    db.session.delete(application)
    db.session.commit()
    for key in keys:  # the bytes go once the rows are gone
        get_storage().delete(key)


def _saved(application: Application) -> None:
    """Every saved step bumps the version, even one that changed only a person or the
    enterprise: a page read before it is then out of date, and its save is refused."""
    application.updated_at = utcnow()


def _set_extra(application: Application, key: str, value) -> None:
    extra = dict(application.extra or {})
    if value is None:
        extra.pop(key, None)
    else:
        extra[key] = value
    application.extra = extra  # a new dict, so the JSON column is marked changed


def keep_unsaved(application: Application, step: str, form_data) -> None:
    """Remember what was typed into a step that did not validate, so nothing is lost."""
    unsaved = dict((application.extra or {}).get("unsaved", {}))
    kept = {key: value for key, value in form_data.items() if key not in NOT_KEPT}
    for key in SEALED:
        if kept.get(key):
            kept[key] = encrypt(kept[key], application.seal_context(f"unsaved.{step}.{key}"))
    unsaved[step] = kept
    _set_extra(application, "unsaved", unsaved)
    db.session.commit()


def unsaved_input(application: Application, step: str) -> dict | None:
    kept = (application.extra or {}).get("unsaved", {}).get(step)
    if not kept:
        return None
    kept = dict(kept)
    for key in SEALED:
        if kept.get(key):
            kept[key] = decrypt(kept[key], application.seal_context(f"unsaved.{step}.{key}"))
    return kept


def _clear_unsaved(application: Application, step: str) -> None:
    unsaved = dict((application.extra or {}).get("unsaved", {}))
    unsaved.pop(step, None)
    _set_extra(application, "unsaved", unsaved or None)


def forget_unsaved(application: Application, step: str) -> None:
    """Drop what was kept of a step the user left empty."""
    if step in (application.extra or {}).get("unsaved", {}):
        _clear_unsaved(application, step)
        db.session.commit()


def acknowledge_notice(application: Application) -> None:
    _set_extra(application, "notice_ack", True)
    _saved(application)
    db.session.commit()


UNCHANGED = object()  # a part the step does not ask


def save_form(application: Application, actor, *, contact_name: str, contact_phone: str,
              declaration: dict | None = None, prohibited: tuple[str, ...] = (), invoice=UNCHANGED) -> None:
    """在线填表. `declaration`: 申报条件 (the enterprise's employees, grade and 企业类型 kept on it
    too); `prohibited`: the 禁办情形 the actor has just declared the applicant not to be in, kept
    with who and when (a declaration already made for the same list is kept as it was); `invoice`:
    开票信息 where the step asks it (None: no invoice wanted)."""
    application.contact_name = contact_name
    application.contact_phone = contact_phone
    if invoice is not UNCHANGED:
        application.invoice_snapshot = invoice
        if invoice:
            _remember_invoice(application.enterprise_id, invoice)
    if declaration is not None:
        enterprise = application.enterprise
        enterprise.employees = declaration["employees"]
        enterprise.tax_grade = declaration["tax_grade"]
        enterprise.trade_kind = declaration["trade_kind"]
        _set_extra(application, "declaration", dict(declaration))
    if prohibited and declared_cases(application) != tuple(prohibited):
        _set_extra(application, "prohibited_declaration", {
            "cases": list(prohibited), "user_id": actor.id, "user_name": actor.display_name,
            "at": utcnow().isoformat(timespec="seconds"),
        })
    _clear_unsaved(application, "form")
    _saved(application)
    db.session.commit()


def save_business(application: Application, *, contact_name: str, contact_phone: str, reason: str | None = None,
                  reason_other: str = "", handover_method: str | None = None, payment_method: str | None = None,
                  invoice: dict | None = None,
                  acknowledged: bool = False, new_passport: dict | None = None) -> None:
    """在线填表 of a related business: its reason, 交卡方式, 支付方式, 发票信息, tick and new passport,
    as its business asks (businesses.BUSINESSES); the form has checked them."""
    application.contact_name = contact_name
    application.contact_phone = contact_phone
    application.reason = reason
    application.reason_other = reason_other if reason == OTHER else ""
    application.handover_method = handover_method
    application.payment_method = payment_method
    application.invoice_snapshot = invoice
    if invoice:
        _remember_invoice(application.enterprise_id, invoice)
    application.acknowledgements = {application.business_type: True} if acknowledged else None
    if new_passport is not None:
        sealed = {key: value.isoformat() if hasattr(value, "isoformat") else value
                  for key, value in new_passport.items() if key != "number"}
        sealed["number_encrypted"] = encrypt(new_passport["number"], application.seal_context(NEW_PASSPORT_NUMBER))
        _set_extra(application, "new_passport", sealed)
    _clear_unsaved(application, "form")
    _saved(application)
    db.session.commit()


def set_applicant(application: Application, person: Person) -> None:
    """The one applicant of a per-applicant province; a new person drops the old one's uploads.
    DraftError (nothing changed) if the person may not apply."""
    current = application.members[0] if application.members else None
    if current is not None and current.person_id == person.id:
        return
    admit(application, person)
    if current is not None:
        _remove_member(application, current)
    add_member(application, person)


def admit(application: Application, person: Person) -> None:
    """DraftError if `person` may not join `application`: already in it, or refused by the
    province's rules (a valid card for 新办, none for 续办, another application open). The one
    place this is decided when persons are added; submission checks it again."""
    if any(member.person_id == person.id for member in application.members):
        raise DraftError(f"{person.name} 已在申请人员中。")
    if refusal := member_refusal(get_province(application.province), application, person):
        raise DraftError(refusal)


def add_member(application: Application, person: Person) -> ApplicationMember:
    admit(application, person)
    member = ApplicationMember(application=application, person=person, position=len(application.members))
    db.session.add(member)
    db.session.commit()
    return member


def save_member(application: Application, member: ApplicationMember | None, data: dict,
                actor) -> ApplicationMember:
    """Guangxi's per-member form: save the person (an earlier entry with the same ID number is
    updated, as 成员核查 brought it up) and make sure they are a member."""
    if member is not None:
        update_person(member.person, data, actor)
        _clear_unsaved(application, f"member-{member.id}")
        _saved(application)
        db.session.commit()
        return member
    person = find_person(application.enterprise_id, data["id_number"])
    if person is not None:
        admit(application, person)  # before touching the stored person: a refused member changes nothing
        update_person(person, data, actor)
    else:
        person = create_person(application.enterprise_id, data, actor)
    member = add_member(application, person)
    _clear_unsaved(application, "member-new")
    _saved(application)
    db.session.commit()
    return member


def remove_member(application: Application, member: ApplicationMember) -> None:
    _remove_member(application, member)
    db.session.commit()


def _remove_member(application: Application, member: ApplicationMember) -> None:
    # The member's files go with the member, history included (it cannot outlive the member's row).
    for material in [m for m in application.materials + application.material_history if m.member_id == member.id]:
        delete_material(material, commit=False)
    _clear_unsaved(application, f"member-{member.id}")
    application.members.remove(member)
    db.session.delete(member)
    db.session.flush()


def save_pickup(application: Application, *, method: str, point: dict | None = None,
                address: dict | None = None) -> None:
    application.pickup_method = method
    if method == "mail":
        application.pickup_snapshot = address
        _remember_address(application.enterprise_id, address)
    else:
        application.pickup_snapshot = point
    _clear_unsaved(application, "pickup")
    _saved(application)
    db.session.commit()


def save_report(application: Application, *, method: str, point: dict | None, address: dict | None,
                payment_method: str | None, invoice: dict | None, purpose: str, contact_name: str,
                contact_phone: str) -> None:
    application.contact_name = contact_name
    application.contact_phone = contact_phone
    application.payment_method = payment_method
    application.invoice_snapshot = invoice
    application.purpose = purpose
    if invoice:
        _remember_invoice(application.enterprise_id, invoice)
    save_pickup(application, method=method, point=point, address=address)
    _clear_unsaved(application, "report")
    db.session.commit()


def _remember_address(enterprise_id: int, address: dict) -> None:
    exists = db.session.scalar(select(AddressBookEntry.id).where(
        AddressBookEntry.enterprise_id == enterprise_id, AddressBookEntry.address == address["address"],
        AddressBookEntry.recipient == address["recipient"],
    ))
    if not exists:
        db.session.add(AddressBookEntry(enterprise_id=enterprise_id, **address))


def _remember_invoice(enterprise_id: int, invoice: dict) -> None:
    exists = db.session.scalar(select(InvoiceBookEntry.id).where(
        InvoiceBookEntry.enterprise_id == enterprise_id, InvoiceBookEntry.title == invoice["title"],
        InvoiceBookEntry.tax_number == invoice["tax_number"],
    ))
    if not exists:
        db.session.add(InvoiceBookEntry(enterprise_id=enterprise_id, title=invoice["title"], tax_number=invoice["tax_number"]))
