"""The one way an application changes status.

`transition(application, action, actor, …)` checks the actor's role and
enterprise or office, the current status and the province's rules, runs
the action's own work (numbering, routing, fee on submit), sets the new
status, writes a timeline event and the 消息中心 messages, and commits —
or raises WorkflowError and changes nothing.
"""

import datetime
import re
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..accounts.models import ROLE_ENTERPRISE_ADMIN, ROLE_HANDLER, ROLE_REVIEWER, User
from ..crypto import blind_index, encrypt
from ..validators import mask_identity, normalize
from ..economies import economy_name, preclearing_economies, transitional_economies
from ..enterprises.models import Person
from ..extensions import db
from ..materials.operations import store_material
from ..materials.storage import get_storage
from ..models_base import utcnow
from ..notifications.models import Message
from ..notifications import outbound as notifications
from ..notifications.outbound import after_commit
from ..provinces.registry import get_province
from ..statuses import province_status_label
from ..timefmt import add_months, china_today
from . import changes
from .businesses import FEE_BEARING_TYPES, LOST_CARD, NEW_PASSPORT_KEYS, makes_card, new_passport
from .eligibility import approved_economies, member_cards, parent_cards
from .models import MEMBER_OUTCOME_LABELS, Application, ApplicationMember, Card, EconomyDecision, NumberCounter, Payment, TimelineEvent
from .numbering import next_application_number
from .requirements import missing_items
from .states import CLOSED, ECONOMIES_REVIEW, OFFICE_MUST_ACT, PARENT_TYPES, RELATED, STAGE_REVIEW, TRANSITIONS, enters_stage

CARD_NUMBER = re.compile(r"APEC[0-9]{8}")  # DESIGN.md section 5


class WorkflowError(Exception):
    """A refused action; nothing was changed. `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 409, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems = problems or []


def status_label(application: Application, status: str | None = None) -> str:
    status = status or application.status
    province = get_province(application.province)
    if status == "rejected" and (application.extra or {}).get("rejected_as"):
        return application.extra["rejected_as"]
    if status == "card_ready" and "card_ready" not in province.config.labels:
        return "待邮寄" if application.pickup_method == "mail" else "待自取"
    return province_status_label(province, status)


def transition(application: Application, action: str, actor: User, *, expected_version: int | None = None,
               comment: str = "", **data) -> Application:
    rule = TRANSITIONS[action]
    if rule.own_function:
        raise RuntimeError(f"{action} is applied by {rule.own_function}(), not transition()")
    current = _locked(application)
    try:
        if expected_version is not None and current.version != expected_version:
            raise WorkflowError("该申请单已提交或已被更新（可能在另一个页面操作过），请刷新页面查看最新状态。")
        if (refused := refusal(current, action, actor)) is not None:
            raise refused
        if (missing := missing_comment(action, comment)) is not None:
            raise missing
        _apply(current, action, actor, comment, data)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        notifications.drop_after_commit()
        raise WorkflowError("该申请单刚刚已被处理，请刷新页面查看最新状态。") from None
    except IntegrityError:
        # A unique value taken by another transaction since it was checked: a card number
        # given to another application at the same moment.
        db.session.rollback()
        notifications.drop_after_commit()
        if action == "issue_card":
            raise WorkflowError("卡号刚刚已被另一申请单使用，请核对卡号后重新填写。", status=422) from None
        raise WorkflowError("该申请单刚刚已被处理，请刷新页面查看最新状态。") from None
    except Exception:
        db.session.rollback()
        notifications.drop_after_commit()
        raise
    notifications.run_after_commit()
    return current


@contextmanager
def _change(application: Application, expected_version: int | None,
            stale: str = "该申请单刚刚已被他人更新，请刷新页面查看最新状态。"):
    """For a change that is not a status transition (a correction, 认领): lock and re-read, check
    the version the page was read at, let the caller act, commit; or roll everything back,
    messages held for after the commit included. Then send what it held."""
    current = _locked(application)
    try:
        if expected_version is not None and current.version != expected_version:
            raise WorkflowError(stale)
        yield current
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        notifications.drop_after_commit()
        raise WorkflowError(stale) from None
    except Exception:
        db.session.rollback()
        notifications.drop_after_commit()
        raise
    notifications.run_after_commit()


def missing_comment(action: str, comment: str) -> WorkflowError | None:
    """An action that needs an opinion or reason (退回, 不予受理 …) refused without one."""
    rule = TRANSITIONS[action]
    if rule.needs_comment and not comment.strip():
        return WorkflowError(f"请填写{rule.label}的意见或原因。", status=422)
    return None


def _apply(current: Application, action: str, actor: User, comment: str, data: dict) -> None:
    """The action's own work, the new status, the timeline entry and the messages (committed by
    the caller). Its work may apply a follow-on transition to another application (`_follow`)."""
    rule = TRANSITIONS[action]
    before, office_before = current.status, current.office_code
    label = action_label(current, action)
    recorded: dict = {}  # what the action's own work adds to the timeline entry
    decided = ACTIONS.get(action, _no_work)(current, actor, comment=comment, record=recorded, **data)
    target = rule.target or decided
    if target is None or (rule.target is None and target not in rule.outcomes):
        raise RuntimeError(f"action {action} decided no valid target ({target})")
    current.status = target
    entered = enters_stage(before, office_before, target, current.office_code)
    if entered:
        current.stage_entered_at = utcnow()
    if current.office_code != office_before:
        current.assignee_id = None  # 认领 holds within an office only
    db.session.add(TimelineEvent(
        application_id=current.id, actor_id=actor.id, action=action, from_status=before,
        to_status=target, office_code=office_before, comment=comment.strip(),
        data=_event_data(dict(data, **recorded)),
    ))
    _notify(current, action, label, target, comment.strip(), dict(data, **recorded))
    if entered:
        _tell_office(current, action, actor, office_before, recorded)


def _follow(application: Application, action: str, actor: User, comment: str) -> None:
    """An automatic transition that follows from another application's (a parent's 已提前制卡), in
    the same transaction; nothing happens if `application` is no longer where it applies."""
    db.session.flush()
    current = _locked(application)
    if current.status in TRANSITIONS[action].sources:
        _apply(current, action, actor, comment, {})


def _locked(application: Application) -> Application:
    """Take the write lock and re-read the application: its current state, not what this request
    loaded earlier (PostgreSQL locks the row until the transaction ends)."""
    _take_write_lock()
    return db.session.execute(
        select(Application).where(Application.id == application.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _take_write_lock() -> None:
    """On SQLite, begin with the database write lock, so a concurrent transition waits and then
    sees this one's result (PostgreSQL uses row locks instead, below). SQLite takes the lock at
    the start of any writing statement, even one that changes no row."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(NumberCounter).where(false()).values(last_value=NumberCounter.last_value))


def _lock_persons(application: Application) -> None:
    """Lock the members' person rows, and every row of the same identity in other enterprises (in
    id order, so two submits cannot deadlock): a second application holding the same person,
    from any enterprise, waits here, then sees the first one's status."""
    person_ids = [member.person_id for member in application.members]
    indexes = [member.person.id_number_index for member in application.members if member.person.id_number_index]
    if person_ids:
        db.session.execute(select(Person.id).where(or_(Person.id.in_(person_ids), Person.id_number_index.in_(indexes)))
                           .order_by(Person.id).with_for_update())


def _no_work(*args, **kwargs) -> None:
    return None


def _event_data(data: dict) -> dict | None:
    """What the timeline keeps of an action's data (opinions, card numbers …), JSON-safe."""
    kept = {key: value for key, value in data.items() if isinstance(value, (str, int, list, dict)) and value}
    return kept or None


def refusal(application: Application, action: str, actor: User) -> WorkflowError | None:
    """Why `actor` may not take `action` on `application` now; None when they may.

    transition() refuses with exactly this; screens ask available_actions() rather than
    deciding again which buttons to show.
    """
    rule = TRANSITIONS[action]
    if actor.role not in rule.roles:
        return WorkflowError("您的账号不能进行此操作。", status=404)
    if actor.is_enterprise_user and actor.enterprise_id != application.enterprise_id:
        return WorkflowError("申请单不存在。", status=404)
    if actor.is_staff and (actor.province != application.province or actor.office_code != application.office_code):
        return WorkflowError("申请单不在本机构办理。", status=404)
    if application.status not in rule.sources:
        return WorkflowError(f"申请单当前状态为“{status_label(application)}”，不能{action_label(application, action)}。")
    if rule.province_rule:
        workflow = get_province(application.province).config.workflow
        if not getattr(workflow, rule.province_rule):
            return WorkflowError(f"本省不支持{rule.label}申请单。")
    guard = GUARDS.get(action)
    message = guard(application) if guard else None
    return WorkflowError(message) if message else None


def available_actions(application: Application, actor: User) -> list[str]:
    """The actions `actor` may take on `application` now, in the order of the table (those that
    follow by themselves are no one's to take)."""
    return [action for action, rule in TRANSITIONS.items()
            if not rule.automatic and refusal(application, action, actor) is None]


def may_edit(application: Application, actor: User) -> bool:
    """The enterprise may change the application exactly when it may submit it (again)."""
    return refusal(application, "submit", actor) is None


def action_label(application: Application, action: str) -> str:
    """What the action is called on this application: 不予受理 before acceptance, 审核不通过 after."""
    if action == "reject" and application.status != "submitted":
        return "审核不通过"
    if action == "submit" and application.status == "returned":
        return "重新提交"
    if action == "pay":
        return f"上传{get_province(application.province).payment.voucher_label}"
    if action == "hand_over":  # 申请单 … 已邮寄 / 已自取, as the enterprise sees it
        return "邮寄" if application.pickup_method == "mail" else "自取"
    return TRANSITIONS[action].label


def business_refusal(parent: Application, business_type: str, actor: User) -> WorkflowError | None:
    """Why `actor` may not start the related business `business_type` (提前制卡, 换补卡, 未制卡仅更换护照,
    注销卡) on `parent` now; None when they may. Screens ask available_businesses()."""
    if not actor.is_enterprise_user or actor.enterprise_id != parent.enterprise_id:
        return WorkflowError("申请单不存在。", status=404)
    province = get_province(parent.province)
    label = province.label(business_type)
    if business_type not in RELATED or business_type not in province.config.business_types:
        return WorkflowError(f"本省不受理{label}业务。", status=404)
    if parent.business_type not in PARENT_TYPES:
        return WorkflowError(f"{label}须在新办或续办的申请单上申请。")
    if parent.status not in RELATED[business_type].parent_statuses:
        return WorkflowError(f"申请单当前状态为“{status_label(parent)}”，不能申请{label}。")
    if (message := BUSINESS_GUARDS.get(business_type, _no_work)(parent)) is not None:
        return WorkflowError(message)
    same_kind_open = db.session.scalar(select(Application.number).where(
        Application.parent_id == parent.id, Application.business_type == business_type,
        Application.status.not_in(CLOSED)))
    if same_kind_open is not None:
        return WorkflowError(f"该申请单已有正在办理的{label}申请（{same_kind_open}），不能重复申请。")
    return None


def available_businesses(parent: Application, actor: User) -> list[str]:
    """The related businesses `actor` may start on `parent` now, in DESIGN.md's order."""
    return [business for business in RELATED if business_refusal(parent, business, actor) is None]


def _partly_approved(parent: Application) -> str | None:
    approved = {member: {d.economy for d in member.economy_decisions if d.decision == "approved"}
                for member in parent.members}
    for member, economies in approved.items():
        if not economies:
            return f"{member.shown.name} 尚未获任何经济体批准，不能提前制卡。"
    needed = {economy.code for economy in preclearing_economies()}
    if all(needed <= economies for economies in approved.values()):
        return "全部经济体均已批准，无需提前制卡。"
    return None


def _has_valid_card(parent: Application) -> str | None:
    return None if parent_cards(parent) else "该申请单的 APEC 卡已不在有效状态。"


BUSINESS_GUARDS = {"early": _partly_approved, "replace": _has_valid_card, "cancel": _has_valid_card}


def _on_submit(application: Application, actor: User, *, record: dict, **_) -> None:
    province = get_province(application.province)
    _lock_persons(application)
    problems = missing_items(province, application)
    if problems:
        raise WorkflowError("申请信息尚不完整，请补全后再提交。", status=422, problems=problems)
    extra = dict(application.extra or {})
    if application.status == "returned":
        # The office that returned it sees what changed since (its 待办 marks it 重新提交).
        record["changes"] = changes.changes_since(extra.get("as_submitted"), application)
    if application.number is None:
        application.number = _number_for(application)
    if application.status == "draft":
        # A first submission (or one after 撤回) goes to the enterprise's own office; a returned
        # application goes back to the office that returned it.
        application.office_code = province.first_office(application.enterprise.office_code)
    if application.pickup_method is None and makes_card(application):
        # No step asked (Hebei): the province's default, 自取 at the enterprise's own office.
        office = province.office(province.first_office(application.enterprise.office_code))
        application.pickup_method = province.config.workflow.default_pickup
        application.pickup_snapshot = {"name": office.name, "address": office.address, "phone": office.phone}
    # Chosen at 上报 where the province asks; else the one way its payment stage has.
    application.payment_method = province.payment.method or application.payment_method
    per_person = province.config.fees.card_fee if application.business_type in FEE_BEARING_TYPES else 0
    application.fee = per_person * len(application.active_members)
    for member in application.members:
        member.snapshot = person_snapshot(member.person, member)
    application.submitted_at = utcnow()
    application.first_submitted_at = application.first_submitted_at or application.submitted_at
    extra.pop("unsaved", None)
    extra.pop("review_opinion", None)
    extra["as_submitted"] = changes.fingerprint(application)
    application.extra = extra


def _number_for(application: Application) -> str:
    """APEC + date + sequence; a related business its parent's number + -NN- + its suffix, NN
    counting the parent's numbered related businesses (the parent row is locked meanwhile)."""
    if application.parent_id is None:
        return next_application_number()
    parent = db.session.execute(
        select(Application).where(Application.id == application.parent_id).with_for_update()
    ).scalar_one()
    numbered = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.parent_id == parent.id, Application.number.is_not(None)))
    return f"{parent.number}-{numbered + 1:02d}-{RELATED[application.business_type].suffix}"


def person_snapshot(person: Person, member: ApplicationMember) -> dict:
    """The person as submitted; identity numbers stay encrypted in the snapshot, sealed for `member`."""
    return {
        "name": person.name, "surname_pinyin": person.surname_pinyin, "given_name_pinyin": person.given_name_pinyin,
        "gender": person.gender, "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "id_number_encrypted": _sealed(person.id_number, member, "id_number"), "mobile": person.mobile, "position": person.position,
        "passport_number_encrypted": _sealed(person.passport_number, member, "passport_number"), "passport_type": person.passport_type,
        "passport_issue_date": person.passport_issue_date.isoformat() if person.passport_issue_date else None,
        "passport_expiry_date": person.passport_expiry_date.isoformat() if person.passport_expiry_date else None,
        "passport_authority": person.passport_authority, "passport_place": person.passport_place,
    }


def _sealed(value: str, member: ApplicationMember, field: str) -> str | None:
    return encrypt(value, member.seal_context(field)) if value else None


def _on_accept(application: Application, actor: User, **_) -> str:
    office = get_province(application.province).office(application.office_code)
    application.accepted_at = application.accepted_at or utcnow()
    return STAGE_REVIEW[office.stage]


def _on_return(application: Application, actor: User, *, comment: str, fields=(), materials=None, **_) -> None:
    """Keep the opinion where the enterprise's pages can highlight what to change."""
    extra = dict(application.extra or {})
    extra["review_opinion"] = {
        "comment": comment.strip(), "fields": list(fields), "materials": {str(k): v for k, v in (materials or {}).items()},
        "office": application.office_code,
    }
    application.extra = extra


def _on_reject(application: Application, actor: User, **_) -> None:
    application.closed_at = utcnow()
    # 不予受理 or 审核不通过: the one status has two names, and the enterprise is told which.
    application.extra = dict(application.extra or {}, rejected_as=action_label(application, "reject"))


def _on_forward(application: Application, actor: User, **_) -> str:
    province = get_province(application.province)
    following = province.next_office(application.office_code)
    application.office_code = following
    return STAGE_REVIEW[province.office(following).stage]


def _on_approve(application: Application, actor: User, **_) -> str:
    """领事司审核通过: ask for the fee, or check the 汇款单 attached at submission; a free related
    business takes effect now (注销卡: the card is cancelled; 未制卡仅更换护照: the passport is
    replaced, and the parent's card will be made with it)."""
    province = get_province(application.province)
    if application.business_type == "cancel":
        _cancel_cards(application, "cancelled")
        application.closed_at = utcnow()
        return "card_cancelled"
    if application.business_type == "passport":
        _replace_passport(application)
        application.closed_at = utcnow()
        return "completed"
    if application.business_type == "replace" and application.reason == LOST_CARD:
        _cancel_cards(application, "lost")
    payment = Payment(application_id=application.id, amount=application.fee,
                      method=application.payment_method or province.payment.method, status="pending")
    db.session.add(payment)
    application.office_code = _payment_office(province, application)
    if province.payment.voucher_at_submission:
        remittance_code = province.config.workflow.remittance_material
        remittance = next((m for m in application.materials if m.kind == remittance_code), None)
        payment.voucher_material_id = remittance.id if remittance else None
        payment.status = "submitted"
        return "payment_review"
    return "awaiting_payment"


def current_payment(application: Application) -> Payment | None:
    return db.session.scalar(
        select(Payment).where(Payment.application_id == application.id).order_by(Payment.id.desc())
    )


def _on_pay(application: Application, actor: User, *, voucher_material_id: int | None = None, invoice=None,
            **_) -> None:
    payment = current_payment(application)
    if voucher_material_id is None:
        raise WorkflowError("请上传缴费凭证。", status=422)
    payment.voucher_material_id = voucher_material_id
    payment.invoice = invoice
    payment.status = "submitted"
    payment.return_reason = ""


def pay_with_voucher(application: Application, actor: User, *, filename: str, data: bytes, invoice: dict,
                     expected_version: int | None = None) -> Application:
    """上传缴费凭证: the voucher and the 'pay' transition in one transaction, so a refused payment
    keeps no file. UploadRejected if the file fails its checks, WorkflowError if paying is refused."""
    title = get_province(application.province).payment.voucher_label
    voucher = store_material(application=application, member_id=None, spec=None, title=title,
                             filename=filename, data=data, actor=actor, issued_on=None)
    audit.record("material_uploaded", user=actor, application_id=application.id, kind=None)
    db.session.flush()  # the voucher's id, for the payment
    try:
        return transition(application, "pay", actor, expected_version=expected_version,
                          voucher_material_id=voucher.id, invoice=invoice)
    except Exception:
        get_storage().delete(voucher.stored_name)
        raise


def _payment_office(province, application: Application) -> str:
    """Where the payment is confirmed (and paid at the window): the province's payment_office_stage
    on this application's path, else the office that approved it."""
    stage = province.config.workflow.payment_office_stage
    path = province.review_path(application.enterprise.office_code)
    return next((code for code in path if province.office(code).stage == stage), application.office_code)


RECEIPT_NUMBER = re.compile(r"[0-9A-Za-z-]{4,40}")


def _on_confirm_payment(application: Application, actor: User, *, receipt_number: str = "", **_) -> str:
    payment = current_payment(application)
    if payment.method == "window":
        # Paid at the window: the receipt the office wrote out is the proof.
        if not RECEIPT_NUMBER.fullmatch(receipt_number.strip()):
            raise WorkflowError("请填写窗口收款的收据号（4 至 40 位字母、数字或“-”）。", status=422)
        payment.receipt_number = receipt_number.strip()
    payment.status = "confirmed"
    payment.confirmed_by_id = actor.id
    payment.confirmed_at = utcnow()
    # Back to the chain's last office, which records the economies and makes the card.
    province = get_province(application.province)
    application.office_code = province.review_path(application.enterprise.office_code)[-1]
    # A related card (提前制卡, 换补卡) is made on the economies its parent has approved so far.
    return "economies_review" if application.parent_id is None else "card_pending"


def _cancel_cards(application: Application, status: str) -> None:
    """The members' valid cards made on the parent or its related businesses: 已注销 or 已挂失."""
    for card in member_cards(application):
        card.status = status


def _replace_passport(application: Application) -> None:
    """The member's passport becomes the new one, in 成员管理 and in the parent as submitted, so
    the parent's card is made with it."""
    passport = new_passport(application)
    for member in application.members:
        person = member.person
        for key in NEW_PASSPORT_KEYS:
            setattr(person, f"passport_{key}", passport[key])
        for parent_member in application.parent.members:
            if parent_member.person_id == person.id and parent_member.snapshot:
                as_submitted = {key: value for key, value in person_snapshot(person, parent_member).items()
                                if key.startswith("passport_")}
                parent_member.snapshot = dict(parent_member.snapshot, **as_submitted)
        db.session.add(TimelineEvent(
            application_id=application.parent_id, actor_id=None, action="passport_replaced",
            from_status=application.parent.status, to_status=application.parent.status,
            office_code=application.parent.office_code,
            comment=f"{person.name}：护照已更换为新护照（{application.number}）",
        ))


def _on_return_payment(application: Application, actor: User, *, comment: str, **_) -> None:
    payment = current_payment(application)
    payment.status = "returned"
    payment.return_reason = comment.strip()


def _on_issue_card(application: Application, actor: User, *, cards: dict, valid_from: datetime.date, **_) -> None:
    """Record each member's card: number, 5 years capped at the passport's expiry (as submitted),
    the approved economies plus the transitional ones. A renewed card replaces the old one."""
    today = datetime.date.today()
    if abs((valid_from - today).days) > 31:
        raise WorkflowError("有效期起始日期应为制卡当日前后一个月内。", status=422)
    unapproved = [member for member in application.active_members if not approved_economies(member)]
    receiving = [member for member in application.active_members if member not in unapproved]
    if not receiving:
        raise WorkflowError("没有获任何经济体批准的成员，不能制卡；如需终止办理，请选择审核不通过。", status=422)
    numbers = [cards.get(str(member.id)) for member in receiving]
    for member, number in zip(receiving, numbers):
        if not number:
            raise WorkflowError(f"请填写 {member.shown.name} 的卡号。", status=422)
        if not CARD_NUMBER.fullmatch(number):
            raise WorkflowError(f"{member.shown.name} 的卡号应为 APEC 加 8 位数字。", status=422)
    if len(set(numbers)) != len(numbers):
        raise WorkflowError("每张卡的卡号须各不相同。", status=422)
    taken = db.session.scalar(select(Card.number).where(Card.number.in_(numbers)))
    if taken:
        raise WorkflowError(f"卡号 {taken} 已被使用，请核对。", status=422)
    for member, number in zip(receiving, numbers):
        snapshot_expiry = (member.snapshot or {}).get("passport_expiry_date")
        expiry = datetime.date.fromisoformat(snapshot_expiry) if snapshot_expiry else member.person.passport_expiry_date
        valid_to = min(add_months(valid_from, 60), expiry or add_months(valid_from, 60))
        if valid_to <= valid_from:
            raise WorkflowError(f"{member.shown.name} 的护照已过期，不能制卡。其余成员照常制卡的，请先对其选择“该成员审核不通过”。",
                                status=422)
        economies = approved_economies(member) + [economy.code for economy in transitional_economies()]
        if application.business_type == "replace" and (old := _card_replaced(application, member.person_id)):
            valid_to = min(valid_to, old.valid_to)  # a replacement keeps the old card's term
        for old in db.session.scalars(select(Card).where(Card.person_id == member.person_id, Card.status == "valid")):
            old.status = "replaced"
        db.session.add(Card(person_id=member.person_id, application_id=application.id, number=number,
                            valid_from=valid_from, valid_to=valid_to, economies=economies))
        member.outcome = "approved"
    for member in unapproved:
        _end(application, member, actor, "refused", NO_ECONOMY_APPROVED)
    province = get_province(application.province)
    # The card is handed over by the enterprise's own office (自取 or 邮寄).
    application.office_code = province.first_office(application.enterprise.office_code)
    if application.business_type == "early":
        _follow(application.parent, "early_card_made", actor, comment=f"已提前制卡（{application.number}）")


def _card_replaced(application: Application, person_id: int) -> Card | None:
    """The card a 换补卡 replaces: the person's latest made on the parent or a business related to
    it, valid or (卡遗失) cancelled as lost."""
    return next((card for card in reversed(member_cards(application, ("valid", "lost")))
                 if card.person_id == person_id), None)


def _on_early_card_made(application: Application, actor: User, **_) -> str:
    return "economies_review_early_made" if application.status == "economies_review" else "economies_done_early_made"


def _on_complete_economies(application: Application, actor: User, **_) -> str:
    return "economies_done_early_made" if application.status == "economies_review_early_made" else "economies_done"


@dataclass(frozen=True)
class Collector:
    """Who collects the cards at the window (自取): not JSON, so the ID number never reaches the
    timeline; what is kept of it is masked."""

    name: str
    id_number: str


def _on_hand_over(application: Application, actor: User, *, record: dict, tracking_number: str = "",
                  collector: Collector | None = None, **_) -> str:
    application.closed_at = utcnow()
    if application.pickup_method == "mail":
        if not tracking_number.strip():
            raise WorkflowError("请填写邮寄单号。", status=422)
        return "mailed"
    if collector is None or not collector.name.strip() or not collector.id_number.strip():
        raise WorkflowError("请填写领取人姓名和身份证号。", status=422)
    capacity = collector_capacity(application, collector)
    if capacity is None:
        raise WorkflowError(f"领取人 {collector.name.strip()} 的姓名和身份证号与持卡人或企业授权的经办人不符，不能领取。",
                            status=422)
    record["collector"] = {"name": collector.name.strip(), "id_number": mask_identity(normalize(collector.id_number)),
                           "capacity": capacity}
    application.extra = dict(application.extra or {}, handover=record["collector"])
    return "picked_up"


def collector_capacity(application: Application, collector: Collector) -> str | None:
    """持卡人本人 when name and ID number are a holder's as submitted; 经办人 when they are a person of
    the enterprise's 成员管理 who is also one of its active 经办人 accounts; else None."""
    name, id_number = collector.name.strip(), normalize(collector.id_number)
    if any(member.shown.name == name and normalize(member.shown.id_number) == id_number
           for member in application.active_members):
        return "持卡人本人"
    known = db.session.scalar(select(Person.id).where(
        Person.enterprise_id == application.enterprise_id, Person.name == name,
        Person.id_number_index == blind_index(id_number)))
    handler = db.session.scalar(select(User.id).where(
        User.enterprise_id == application.enterprise_id, User.role == ROLE_HANDLER, User.name == name,
        User.active.is_(True)))
    return "经办人" if known and handler else None


def _not_accepted_yet(application: Application) -> str | None:
    return "外办已受理该申请单，不能撤回。" if application.accepted_at is not None else None


def _has_next_office(application: Application) -> str | None:
    if get_province(application.province).next_office(application.office_code) is None:
        return "本机构是审核流程的最后一站，无需上报。"
    return None


def _fee_to_pay(application: Application) -> str | None:
    payment = current_payment(application)
    if payment is None:
        return "没有待缴的费用。"
    if payment.method == "window":
        return "您选择了窗口支付，请到窗口缴费，工作人员确认后继续办理。"
    return None


def _payment_to_confirm(application: Application) -> str | None:
    payment = current_payment(application)
    if payment is None:
        return "没有待确认的缴费。"
    if application.status == "awaiting_payment" and payment.method != "window":
        return "企业尚未上传缴费凭证，不能确认缴费。"
    return None


def _all_economies_decided(application: Application) -> str | None:
    needed = {economy.code for economy in preclearing_economies()}
    for member in application.active_members:
        if not needed <= {decision.economy for decision in member.economy_decisions}:
            return f"{member.shown.name} 还有经济体未审核。"
    return None


# What an action needs beyond role, office, status and province rule; each says why not, or None.
def _another_member_goes_on(application: Application) -> str | None:
    if len(application.active_members) < 2:
        return "申请单只有一位办理中的成员，不能单独终止其办理。"
    return None


GUARDS = {
    "withdraw": _not_accepted_yet, "forward": _has_next_office, "pay": _fee_to_pay,
    "confirm_payment": _payment_to_confirm, "complete_economies": _all_economies_decided,
    "refuse_member": _another_member_goes_on, "withdraw_member": _another_member_goes_on,
}

ACTIONS = {
    "submit": _on_submit, "accept": _on_accept, "return": _on_return,
    "reject": _on_reject, "forward": _on_forward, "approve": _on_approve, "pay": _on_pay,
    "confirm_payment": _on_confirm_payment, "return_payment": _on_return_payment,
    "issue_card": _on_issue_card, "hand_over": _on_hand_over, "early_card_made": _on_early_card_made,
    "complete_economies": _on_complete_economies,
}


def _notify(application: Application, action: str, label: str, target: str, comment: str, data: dict) -> None:
    """The enterprise is told the new status with what it must know to act on it: the opinion,
    for a 退回 what to change (sections and files, with the notes), for 已邮寄 the tracking number."""
    rule = TRANSITIONS[action]
    number = application.number or "（未编号）"
    title = f"申请单 {number} {rule.notice or '已' + label}"
    lines = [f"当前状态：{status_label(application, target)}。"]
    if comment:
        lines.append(f"意见：{comment}")
    if action == "return":
        lines.extend(_return_details(application, data))
    if data.get("tracking_number"):
        lines.append(f"邮寄单号：{data['tracking_number']}")
    sms = rule.notify_sms and get_province(application.province).config.workflow.return_notice_sms
    _tell_enterprise(application, title, "\n".join(lines), sms=sms)


def _return_details(application: Application, data: dict) -> list[str]:
    from ..statuses import RETURN_SECTIONS

    lines = []
    sections = [RETURN_SECTIONS[key] for key in data.get("fields") or () if key in RETURN_SECTIONS]
    if sections:
        lines.append(f"需修改的内容：{'、'.join(sections)}")
    flagged = {int(key): note for key, note in (data.get("materials") or {}).items()}
    members = {member.id: member.shown.name for member in application.members}
    for material in application.materials:
        if material.id in flagged:
            whose = f"（{members[material.member_id]}）" if material.member_id in members else ""
            lines.append(f"需重新上传：{material.title}{whose}：{flagged[material.id]}")
    return lines


def _tell_enterprise(application: Application, title: str, body: str, sms: bool = False) -> None:
    """A 消息中心 message for the enterprise account and the handler who filed it; e-mail (and
    SMS if asked) go out through the job queue once the change is committed."""
    recipients = {application.created_by_id}
    recipients.update(
        db.session.scalars(
            select(User.id).where(User.enterprise_id == application.enterprise_id, User.role == ROLE_ENTERPRISE_ADMIN)
        )
    )
    for user_id in recipients:
        db.session.add(Message(user_id=user_id, application_id=application.id, title=title, body=body))
    sms_to = application.contact_phone if sms else None
    after_commit(lambda: notifications.send(sorted(recipients), title, body, sms_to=sms_to))


def _tell_office(application: Application, action: str, actor: User, office_before: str | None,
                 recorded: dict) -> None:
    """新到 / 重新提交 / 待确认缴费 / 待交付 in the staff's 消息中心: for each active reviewer of the office
    whose hands the application has just come into, unless one of them brought it there."""
    if application.status not in OFFICE_MUST_ACT or (actor.is_staff and actor.office_code == application.office_code):
        return
    province = get_province(application.province)
    who = f"{application.enterprise.name}，{province.label(application.business_type)}，{len(application.members)} 人"
    if action == "submit" and "changes" in recorded:
        title, body = "重新提交", f"{who}。{changes.summary(recorded['changes'])}"
    elif action == "pay":
        title, body = "待确认缴费", f"{who}：企业已上传缴费凭证。"
    elif application.status == "card_ready":
        title, body = "已制卡，待交付", f"{who}：{status_label(application)}。"
    elif action == "forward" and office_before:
        title, body = "新到", f"{province.office(office_before).name}上报：{who}。"
    else:
        title, body = "新到", f"{who}。"
    _message_office(application, f"申请单 {application.number} {title}", body)


def _message_office(application: Application, title: str, body: str) -> None:
    """A 消息中心 message for each active reviewer of the office the application is at."""
    reviewers = db.session.scalars(select(User.id).where(
        User.role == ROLE_REVIEWER, User.province == application.province,
        User.office_code == application.office_code, User.active.is_(True)))
    for user_id in reviewers:
        db.session.add(Message(user_id=user_id, application_id=application.id, title=title, body=body))


def record_economy_decisions(application: Application, actor: User, decisions: list[dict],
                             expected_version: int | None = None) -> int:
    """APEC经济体审核中: record economies' decisions one by one (each a timeline entry and a
    message); when every member has all pre-clearing economies decided, the application moves
    to 全部经济体审核完成 through `transition`. Returns how many decisions were new or changed."""
    application = _locked(application)
    if expected_version is not None and application.version != expected_version:
        db.session.rollback()
        raise WorkflowError("该申请单刚刚已被他人更新，请刷新页面后重新填写。")
    if (refused := refusal(application, "record_economies", actor)) is not None:
        db.session.rollback()
        raise refused
    allowed = {economy.code for economy in preclearing_economies()}
    members = {member.id: member for member in application.active_members}
    changed = 0
    for item in decisions:
        member = members.get(item["member_id"])
        if member is None or item["economy"] not in allowed or item["decision"] not in ("approved", "refused"):
            db.session.rollback()
            raise WorkflowError("经济体审核结果不完整或有误。", status=422)
        if item["decided_on"] > china_today():
            db.session.rollback()
            raise WorkflowError(f"{member.shown.name} {economy_name(item['economy'])} 的审核日期不能晚于今天。", status=422)
        existing = next((d for d in member.economy_decisions if d.economy == item["economy"]), None)
        if existing is not None and existing.decision == item["decision"] and existing.decided_on == item["decided_on"]:
            continue
        if existing is None:
            existing = EconomyDecision(member=member, economy=item["economy"])
            db.session.add(existing)
        existing.decision, existing.decided_on, existing.recorded_by_id = item["decision"], item["decided_on"], actor.id
        word = "获批" if item["decision"] == "approved" else "未获批"
        db.session.add(TimelineEvent(
            application_id=application.id, actor_id=actor.id, action="economy_decision",
            from_status=application.status, to_status=application.status, office_code=application.office_code,
            comment=f"{member.shown.name}：{economy_name(item['economy'])}{word}",
            data={"member_id": member.id, "economy": item["economy"], "decision": item["decision"]},
        ))
        changed += 1
    if changed:
        application.updated_at = utcnow()  # bumps the version: a form loaded before this is stale
        _tell_enterprise(application, f"申请单 {application.number} 经济体审核结果更新",
                         f"新记录 {changed} 项经济体审核结果，请在申请单详情中查看。")
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        notifications.drop_after_commit()
        raise WorkflowError("该申请单刚刚已被他人更新，请刷新页面后重新填写。") from None
    notifications.run_after_commit()
    db.session.refresh(application)
    needed = {economy.code for economy in preclearing_economies()}
    if _all_economies_decided(application) is None:
        transition(application, "complete_economies", actor, comment="全部经济体审核完成")
    return changed


DECISION_WORDS = {"approved": "获批", "refused": "未获批"}


def correct_economy_decision(application: Application, actor: User, *, member_id: int, economy: str,
                             decision: str, decided_on: datetime.date, reason: str,
                             expected_version: int | None = None) -> None:
    """更正 one economy's decision after 全部经济体审核完成, before the card is made: the reason is
    required, and the timeline, the audit log and the enterprise's message keep what it was."""
    with _change(application, expected_version, "该申请单刚刚已被他人更新，请刷新页面后重新填写。") as current:
        if (refused := refusal(current, "correct_economies", actor)) is not None:
            raise refused
        if (missing := missing_comment("correct_economies", reason)) is not None:
            raise missing
        member = next((m for m in current.members if m.id == member_id), None)
        existing = next((d for d in member.economy_decisions if d.economy == economy), None) if member else None
        if existing is None or decision not in DECISION_WORDS:
            raise WorkflowError("请选择要更正的人员、经济体和审核结果。", status=422)
        if decided_on > china_today():
            raise WorkflowError("审核日期不能晚于今天。", status=422)
        if (existing.decision, existing.decided_on) == (decision, decided_on):
            raise WorkflowError("审核结果和日期与原记录相同，无需更正。", status=422)
        before = {"decision": existing.decision, "decided_on": existing.decided_on.isoformat()}
        existing.decision, existing.decided_on, existing.recorded_by_id = decision, decided_on, actor.id
        line = (f"{member.shown.name}：{economy_name(economy)}由{DECISION_WORDS[before['decision']]}（{before['decided_on']}）"
                f"更正为{DECISION_WORDS[decision]}（{decided_on.isoformat()}），原因：{reason.strip()}")
        db.session.add(TimelineEvent(
            application_id=current.id, actor_id=actor.id, action="economy_correction", from_status=current.status,
            to_status=current.status, office_code=current.office_code, comment=line,
            data={"member_id": member.id, "economy": economy, "before": before,
                  "after": {"decision": decision, "decided_on": decided_on.isoformat()}},
        ))
        audit.record("economy_corrected", user=actor, application_id=current.id, member_id=member.id,
                     economy=economy, before=before, after={"decision": decision, "decided_on": decided_on.isoformat()},
                     reason=reason.strip())
        current.updated_at = utcnow()
        _tell_enterprise(current, f"申请单 {current.number} 经济体审核结果更正", line)


MEMBER_ENDS = {"refuse_member": "refused", "withdraw_member": "withdrawn"}
NO_ECONOMY_APPROVED = "未获任何经济体批准"
MAX_REASON = 1000


def end_member(application: Application, actor: User, action: str, *, member_id: int, reason: str = "",
               expected_version: int | None = None) -> ApplicationMember:
    """该成员审核不通过 (the office, with the reason) or 撤回该成员 (the enterprise): one member of a
    group or batch ends while the others go on. The application's status stays; a fee not yet
    confirmed counts those left; once the economies are decided for all those left,
    全部经济体审核完成 follows."""
    with _change(application, expected_version) as current:
        if (refused := refusal(current, action, actor)) is not None:
            raise refused
        if (missing := missing_comment(action, reason)) is not None:
            raise missing
        if len(reason) > MAX_REASON:
            raise WorkflowError(f"原因不能超过 {MAX_REASON} 字（现为 {len(reason)} 字）。", status=422)
        member = next((m for m in current.active_members if m.id == member_id), None)
        if member is None:
            raise WorkflowError("请选择一位办理中的成员。", status=422)
        if any(card.person_id == member.person_id for card in parent_cards(current, ("valid", "lost", "replaced"))):
            raise WorkflowError(f"{member.shown.name} 已制卡，不能单独终止办理；如需作废该卡，请办理注销卡。")
        _end(current, member, actor, MEMBER_ENDS[action], reason.strip())
        current.updated_at = utcnow()  # bumps the version: a page loaded before is stale
        if current.status in ECONOMIES_REVIEW and _all_economies_decided(current) is None:
            _follow(current, "complete_economies", actor, comment="全部经济体审核完成")
    return member


def _end(application: Application, member: ApplicationMember, actor: User, outcome: str, reason: str) -> None:
    """Record one member's end, the fee of those left, the timeline entry and the messages."""
    before = len(application.active_members)
    member.outcome, member.outcome_reason = outcome, reason or None
    payment = current_payment(application)
    if application.fee and (payment is None or payment.status != "confirmed"):
        application.fee = application.fee // before * (before - 1)
        if payment is not None:
            payment.amount = application.fee
    name = member.shown.name
    line = f"{name}：{MEMBER_OUTCOME_LABELS[outcome]}" + (f"，原因：{reason}" if reason else "")
    db.session.add(TimelineEvent(
        application_id=application.id, actor_id=actor.id, action=f"member_{outcome}", from_status=application.status,
        to_status=application.status, office_code=application.office_code, comment=line,
        data={"member_id": member.id},
    ))
    others = "其他成员继续办理" + (f"，制卡费调整为 ¥ {application.fee}" if application.fee else "") + "。"
    if outcome == "refused":
        _tell_enterprise(application, f"申请单 {application.number} {name} 审核不通过", f"{line}。{others}")
    else:
        _message_office(application, f"申请单 {application.number} 企业撤回成员", f"{line}。{others}")


def set_assignee(application: Application, actor: User, assignee: User | None, *,
                 expected_version: int | None = None) -> str:
    """认领 (to oneself), 释放 (to no one) or 分配 (to a colleague of the same office): who has the
    application in hand. Not a status change, but locked, checked and on the timeline the same
    way. Returns what was done, as a label."""
    with _change(application, expected_version) as current:
        if not actor.is_staff or actor.province != current.province or actor.office_code != current.office_code \
                or current.status in CLOSED:
            raise WorkflowError("申请单不在本机构办理，不能认领或分配。", status=404)
        holder = current.assignee
        if assignee is None:
            if holder is None or holder.id != actor.id:
                raise WorkflowError("只有认领人本人可以释放该申请单。")
            label, comment = "释放", "释放"
        elif assignee.id == actor.id:
            if holder is not None:
                raise WorkflowError(f"该申请单已由 {holder.display_name} 认领。")
            label, comment = "认领", "认领"
        else:
            if assignee.role != actor.role or assignee.office_code != current.office_code \
                    or assignee.province != current.province or not assignee.active:
                raise WorkflowError("只能分配给本机构在岗的审核人员。", status=422)
            if holder is not None and holder.id == assignee.id:
                raise WorkflowError(f"该申请单已由 {assignee.display_name} 办理。", status=422)
            label, comment = "分配", f"分配给 {assignee.display_name}"
        current.assignee_id = assignee.id if assignee else None
        current.updated_at = utcnow()  # bumps the version: a page loaded before is stale
        db.session.add(TimelineEvent(
            application_id=current.id, actor_id=actor.id, action="assign", from_status=current.status,
            to_status=current.status, office_code=current.office_code, comment=comment,
            data={"assignee_id": current.assignee_id} if current.assignee_id else None,
        ))
    return label
