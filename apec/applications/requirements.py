"""What an application needs before it can be submitted, per its province."""

from ..materials.models import Material
from ..provinces.base import ProvincePlugin
from ..provinces.schema import MaterialSpec
from ..enterprises.models import OWNERSHIP_LABELS, TRADE_KIND_LABELS
from .businesses import BUSINESSES, FEE_BEARING_TYPES, business_missing
from .eligibility import member_refusal, standards_refusals, trade_kind_of
from .models import Application
from .steps import step_label, step_labels, steps_of

PERSON_REQUIRED = {
    "name": "姓名", "surname_pinyin": "姓（拼音）", "given_name_pinyin": "名（拼音）", "mobile": "手机号码",
    "position": "职务", "passport_issue_date": "护照签发日期", "passport_expiry_date": "护照有效期",
    "passport_authority": "护照签发机关", "passport_place": "护照签发地点",
}


def material_specs(province: ProvincePlugin, application: Application) -> list[MaterialSpec]:
    """The province's list for this business type (renew falls back to new), ownership, 企业类型
    and reason."""
    specs = province.material_list(application.business_type)
    ownership = application.enterprise.ownership
    trade_kind = trade_kind_of(application) if any(spec.trade_kinds for spec in specs) else None
    return [spec for spec in specs if (not spec.ownership or ownership in spec.ownership)
            and (not spec.trade_kinds or trade_kind in spec.trade_kinds)
            and (not spec.reasons or application.reason in spec.reasons)]


def published_standards(province: ProvincePlugin, business_type: str) -> dict:
    """What 业务申报 tells before a business is started: the province's standards, each as the
    rule that is checked later, the materials with whom and when each is for, and the 禁办情形."""
    rules, workflow = province.config.eligibility, province.config.workflow
    conditions = []
    if business_type in ("new", "renew"):
        if rules.min_employees:
            conditions.append(f"申办企业员工人数 {rules.min_employees} 人以上")
        if rules.min_tax_grade:
            alternative = "，或出具上一年度“完成依法纳税”证明" if rules.tax_paid_alternative else ""
            conditions.append(f"纳税信用等级 {rules.min_tax_grade} 级（含）以上{alternative}")
        if rules.passport_min_valid_months:
            conditions.append(f"申请人护照有效期不少于 {rules.passport_min_valid_months} 个月")
        if rules.no_criminal_record_max_age_months:
            conditions.append(f"无犯罪记录证明自开具之日起 {rules.no_criminal_record_max_age_months} 个月内有效")
        if rules.min_social_insurance_months:
            conditions.append(f"申请人须提供 {rules.min_social_insurance_months} 个月以上的社保缴纳明细，"
                              "社保单上的姓名和工作单位须与申请人、申请单位一致")
    if business_type == "renew":
        conditions.append(f"APEC 卡到期前 {workflow.renew_within_months} 个月内可申请续办")
    if business_type in FEE_BEARING_TYPES and province.config.fees.card_fee:
        conditions.append(f"费用 {province.config.fees.card_fee} 元/人")
    reasons = dict(BUSINESSES[business_type].reasons) if business_type in BUSINESSES else {}
    materials = []
    for spec in province.material_list(business_type):
        notes = ["每位申请人" if spec.scope == "member" else ""]
        notes += [TRADE_KIND_LABELS[kind] for kind in spec.trade_kinds]
        notes += [OWNERSHIP_LABELS[kind] for kind in spec.ownership]
        notes += [f"{reasons.get(reason, reason)}时" for reason in spec.reasons]
        notes.append("" if spec.required else "选交")
        materials.append({"label": spec.label, "note": "、".join(note for note in notes if note),
                          "template": spec.template})
    return {"conditions": conditions, "materials": materials,
            "prohibited": rules.prohibited.get(business_type, ()), "prohibited_title": rules.prohibited_title}


def specs_for(province, application, scope: str) -> list[MaterialSpec]:
    return [spec for spec in material_specs(province, application) if spec.scope == scope]


def spec_by_code(province, application, code: str) -> MaterialSpec | None:
    return next((spec for spec in material_specs(province, application) if spec.code == code), None)


def materials_of(application: Application, member_id: int | None) -> list[Material]:
    """The current files of the application (member_id None) or of one member; never history."""
    return [material for material in application.materials if material.member_id == member_id]


def slot_files(application: Application, member_id: int | None, code: str) -> list[Material]:
    """The current files of one material of the list, oldest first."""
    return [material for material in materials_of(application, member_id) if material.kind == code]


def missing_items(province: ProvincePlugin, application: Application) -> list[str]:
    """Everything still missing, each as a sentence the user can act on; empty when complete."""
    missing = []
    if not application.members:
        missing.append("请至少添加一名申请人")
    if not application.contact_name or not application.contact_phone:
        missing.append("请填写联系人姓名和联系人电话")
    if province.config.wizard.declaration and application.business_type in ("new", "renew") \
            and not (application.extra or {}).get("declaration"):
        missing.append(f"请在“{step_label(province, 'form')}”中填写申报条件")
    steps = steps_of(province, application.business_type)
    if "notice" in steps and not application.extra.get("notice_ack"):
        missing.append(f"请阅读{province.config.wizard.notice_title}并勾选“{province.config.wizard.notice_ack}”")
    if ("pickup" in steps or "report" in steps) and not application.pickup_method:
        missing.append("请选择取卡方式")
    if province.payment.method is None and application.business_type in FEE_BEARING_TYPES \
            and not application.payment_method:
        missing.append("请选择支付方式")
    if "report" in steps:
        if not application.purpose:
            missing.append("请填写申请事由")
    for member in application.members:
        person = member.person
        absent = [label for field, label in PERSON_REQUIRED.items() if not getattr(person, field)]
        if not person.passport_number_index:
            absent.append("护照号码")
        if absent:
            missing.append(f"{person.name}：请补全{'、'.join(absent)}")
        uploaded = {material.kind for material in materials_of(application, member.id)}
        for spec in specs_for(province, application, "member"):
            if spec.required and spec.code not in uploaded:
                missing.append(f"{person.name}：请上传{spec.label}")
    missing.extend(business_missing(application))
    uploaded = {material.kind for material in materials_of(application, None)}
    for spec in specs_for(province, application, "application"):
        if spec.required and spec.code not in uploaded:
            missing.append(f"请上传{spec.label}")
    missing.extend(kept_but_not_saved(province, application))
    for member in application.members:
        if refusal := member_refusal(province, application, member.person):
            missing.append(refusal)
    if application.business_type in ("new", "renew"):
        missing.extend(standards_refusals(province, application))
    return missing


def kept_but_not_saved(province: ProvincePlugin, application: Application) -> list[str]:
    """Steps whose last input did not validate and so is kept aside, not saved: submitting now
    would send the older values and drop what the user typed (暂存 said 已暂存)."""
    kept = (application.extra or {}).get("unsaved") or {}
    labels = step_labels(province)
    members = {f"member-{member.id}": member.person.name for member in application.members}
    kept_as = province.config.wizard.draft_label
    problems = []
    for key in kept:
        if key in members:
            problems.append(f"{members[key]}：有已{kept_as}但尚未填写完整的修改，请补全后保存")
        elif key == "member-new":
            problems.append(f"新增成员的信息已{kept_as}但尚未填写完整：请补全后保存，或清空后点击“保存并下一步”")
        elif key in labels:
            problems.append(f"“{labels[key]}”中有已{kept_as}但尚未填写完整的内容，请补全后保存")
    return problems
