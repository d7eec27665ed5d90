"""Who may be applied for, and Liaoning's quantitative standards (seed 004)."""

import datetime

from sqlalchemy import or_, select

from ..enterprises.models import Person
from ..extensions import db
from ..provinces.base import ProvincePlugin
from ..provinces.registry import get_province
from ..statuses import province_status_label
from ..timefmt import add_months
from .businesses import BUSINESSES
from .models import ENDED_OUTCOMES, Application, ApplicationMember, Card
from .states import CLOSED
from .steps import step_label

TAX_GRADE_ORDER = ("A", "B", "M", "C", "D")


def same_identity(person: Person):
    """The person rows of the whole instance that are this person: one row per enterprise that
    entered them, found by the blind index of the ID number (the person alone without one)."""
    if person.id_number_index is None:
        return select(Person.id).where(Person.id == person.id)
    return select(Person.id).where(Person.id_number_index == person.id_number_index)


def valid_card(person: Person, today: datetime.date, anywhere: bool = False) -> Card | None:
    """The person's valid card made for this enterprise's row, or (`anywhere`) for any row of the
    same identity, whichever enterprise applied for it."""
    holder = Card.person_id.in_(same_identity(person)) if anywhere else Card.person_id == person.id
    return db.session.scalar(
        select(Card).where(holder, Card.status == "valid", Card.valid_to >= today)
        .order_by(Card.valid_to.desc())
    )


def parent_cards(parent: Application, statuses: tuple[str, ...] = ("valid",)) -> list[Card]:
    """The cards (valid ones, or of these statuses) made on `parent` or on a business related to it
    (提前制卡, 换补卡)."""
    related = select(Application.id).where(Application.parent_id == parent.id)
    return list(db.session.scalars(select(Card).where(
        Card.status.in_(statuses), (Card.application_id == parent.id) | Card.application_id.in_(related)
    ).order_by(Card.id)))


def member_cards(application: Application, statuses: tuple[str, ...] = ("valid",)) -> list[Card]:
    """The cards of a related business's members made on its parent or a business related to it."""
    persons = {member.person_id for member in application.members}
    return [card for card in parent_cards(application.parent, statuses) if card.person_id in persons]


def approved_economies(member: ApplicationMember) -> list[str]:
    """The economies that approved this member: on 新办/续办 its own decisions, on 提前制卡 and
    换补卡 those its parent has recorded for the same person so far."""
    decisions = member.economy_decisions
    parent = member.application.parent
    if parent is not None:
        decisions = next((m.economy_decisions for m in parent.members if m.person_id == member.person_id), [])
    return [d.economy for d in decisions if d.decision == "approved"]


def open_application(person: Person, excluding: Application) -> Application | None:
    """A 新办/续办 of this person (of any enterprise) submitted and not yet ended."""
    return db.session.scalar(
        select(Application)
        .join(ApplicationMember, ApplicationMember.application_id == Application.id)
        .where(
            ApplicationMember.person_id.in_(same_identity(person)),
            or_(ApplicationMember.outcome.is_(None), ApplicationMember.outcome.not_in(ENDED_OUTCOMES)),
            Application.id != excluding.id,
            Application.business_type.in_(("new", "renew")),
            Application.status.not_in(CLOSED),
        )
        .order_by(Application.id)
    )


def member_refusal(province: ProvincePlugin, application: Application, person: Person,
                   today: datetime.date | None = None) -> str | None:
    """Why this person cannot be in this application, or None: for 新办/续办 the card rules and
    no other open application; a related business takes only members of its parent."""
    if application.parent_id is not None:
        return related_member_refusal(application, person)
    today = today or datetime.date.today()
    card = valid_card(person, today)
    if card is None and valid_card(person, today, anywhere=True) is not None:
        # One person, one card: another enterprise's card is theirs to cancel (注销卡) first.
        return (f"{person.name} 已持有其他单位申办的有效 APEC 卡，不能在本单位{'新办' if application.business_type == 'new' else '续办'}；"
                "如已离开原单位，请原单位先申请注销卡。")
    if application.business_type == "new" and card is not None:
        return f"{person.name} 已持有有效的 APEC 卡（{card.number}，有效期至 {card.valid_to:%Y-%m-%d}），不能新办；卡到期前可申请续办。"
    if application.business_type == "renew":
        months = province.config.workflow.renew_within_months
        if card is None:
            return f"{person.name} 没有有效的 APEC 卡，不能续办，请申请新办。"
        if card.valid_to > add_months(today, months):
            return f"{person.name} 的 APEC 卡有效期至 {card.valid_to:%Y-%m-%d}，到期前 {months} 个月内方可申请续办。"
    other = open_application(person, application)
    if other is not None and other.enterprise_id != application.enterprise_id:
        status = province_status_label(get_province(other.province), other.status)
        return f"{person.name} 已有其他单位正在办理的申请（当前状态：{status}），不能重复申请。"
    if other is not None:
        return f"{person.name} 已有正在办理的申请单（{other.number or '尚未提交'}），不能重复申请。"
    return passport_refusal(province, person, today)


def passport_refusal(province: ProvincePlugin, person: Person, today: datetime.date) -> str | None:
    """The province's least passport validity (Hunan, Liaoning: 12 months), with the date it asks."""
    months = province.config.eligibility.passport_min_valid_months
    if not months:
        return None
    limit_day = add_months(today, months)
    expiry = person.passport_expiry_date
    if expiry is None or expiry < limit_day:
        return (f"{person.name} 的护照有效期须不少于 {months} 个月（至少到 {limit_day:%Y-%m-%d}），"
                f"当前至 {expiry or '未填写'}；请先在成员管理中更新护照信息。")
    return None


def related_member_refusal(application: Application, person: Person) -> str | None:
    """A related business takes only members of its parent: for 换补卡 and 注销卡 those holding a
    valid card made on it, for 提前制卡 those some economy has approved."""
    parent = application.parent
    parent_member = next((member for member in parent.members if member.person_id == person.id), None)
    if parent_member is None:
        return f"{person.name} 不是原申请单（{parent.number}）的申请人员。"
    if BUSINESSES[application.business_type].about_a_card \
            and all(card.person_id != person.id for card in parent_cards(parent)):
        return f"{person.name} 没有原申请单（{parent.number}）制作的有效 APEC 卡。"
    if application.business_type == "early" and not approved_economies(parent_member):
        return f"{person.name} 尚未获任何经济体批准，不能提前制卡。"
    if application.business_type == "passport" and any(m.person_id != person.id for m in application.members):
        return "更换护照每次为一名人员办理（一本新护照），其他人员请另行申请。"
    return None


def declaration_of(application: Application) -> dict:
    """申报条件 as typed on 在线填表 (Hebei, Liaoning): employees, tax, 企业类型, 社保 …"""
    return (application.extra or {}).get("declaration") or {}


def trade_kind_of(application: Application) -> str | None:
    return declaration_of(application).get("trade_kind") or application.enterprise.trade_kind


def tax_refusal(rules, tax_grade: str | None, tax_proof: str | None) -> str | None:
    """Grade at least min_tax_grade, or (where the province takes it instead) a 完成依法纳税证明."""
    if not rules.min_tax_grade or (rules.tax_paid_alternative and tax_proof == "paid"):
        return None
    limit = TAX_GRADE_ORDER.index(rules.min_tax_grade)
    if tax_grade in TAX_GRADE_ORDER and TAX_GRADE_ORDER.index(tax_grade) <= limit:
        return None
    alternative = "，或出具上一年度“完成依法纳税”证明" if rules.tax_paid_alternative else ""
    return f"企业纳税信用等级须为 {rules.min_tax_grade} 级（含）以上{alternative}（当前为 {tax_grade or '未填写'}）。"


def employees_refusal(rules, employees: int | None) -> str | None:
    if rules.min_employees and (employees or 0) < rules.min_employees:
        return f"申办企业员工人数须在 {rules.min_employees} 人以上（当前填写 {employees or 0} 人）。"
    return None


def social_insurance_refusal(rules, months: int | None, name: str = "申请人") -> str | None:
    if rules.min_social_insurance_months and (months or 0) < rules.min_social_insurance_months:
        return (f"{name}须提供 {rules.min_social_insurance_months} 个月以上的社保缴纳明细"
                f"（当前填写 {months or 0} 个月）。")
    return None


def prohibited_cases(province: ProvincePlugin, business_type: str) -> tuple[str, ...]:
    return province.config.eligibility.prohibited.get(business_type, ())


def prohibited_declaration(application: Application) -> dict | None:
    """The applicant's 禁办情形 declaration: the cases, who declared and when (a datetime)."""
    declared = (application.extra or {}).get("prohibited_declaration")
    if not declared:
        return None
    return {**declared, "at": datetime.datetime.fromisoformat(declared["at"])}


def declared_cases(application: Application) -> tuple[str, ...]:
    """The 禁办情形 the applicant has been declared not to be in (none: no declaration yet)."""
    return tuple(((application.extra or {}).get("prohibited_declaration") or {}).get("cases") or ())


def prohibited_declaration_refusal(province: ProvincePlugin, application: Application) -> str | None:
    """Where the province lists 禁办情形, the applicant has declared, for this business type's list."""
    cases = prohibited_cases(province, application.business_type)
    if cases and declared_cases(application) != cases:
        return (f"请在“{step_label(province, 'form')}”中阅读{province.config.eligibility.prohibited_title}，"
                "并勾选确认不属于所列禁办情形。")
    return None


def standards_refusals(province: ProvincePlugin, application: Application,
                       today: datetime.date | None = None) -> list[str]:
    """The province's quantitative standards the application does not meet (empty: all met)."""
    rules = province.config.eligibility
    today = today or datetime.date.today()
    enterprise = application.enterprise
    declared = declaration_of(application)
    names = "、".join(member.person.name for member in application.members) or "申请人"
    refusals = [refusal for refusal in (
        employees_refusal(rules, enterprise.employees),
        tax_refusal(rules, enterprise.tax_grade, declared.get("tax_proof")),
        social_insurance_refusal(rules, declared.get("social_insurance_months"), names),
        prohibited_declaration_refusal(province, application),
    ) if refusal]
    if rules.min_social_insurance_months and not declared.get("social_insurance_matches"):
        refusals.append(f"请在“{step_label(province, 'form')}”中确认社保单上的姓名和工作单位与申请人、申请单位一致。")
    if rules.no_criminal_record_max_age_months and rules.criminal_record_material:
        for member in application.members:
            records = [m for m in application.materials if m.member_id == member.id and m.kind == rules.criminal_record_material]
            for record in records:
                if record.issued_on is None or add_months(record.issued_on, rules.no_criminal_record_max_age_months) < today:
                    refusals.append(
                        f"{member.person.name} 的无犯罪记录证明须在开具后 {rules.no_criminal_record_max_age_months} 个月内提交，请重新开具上传。"
                    )
    return refusals
