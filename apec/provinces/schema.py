"""The one schema every province's merged configuration must satisfy.

`province.toml` (the plugin's data) deep-merged with
`config/provinces/<code>.toml` (the operator's overrides) is validated here at
start-up; any unknown key, wrong type or unknown office code stops the app.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..statuses import STATUS_LABELS
from .payment import PAYMENT_STAGES

BusinessType = Literal["new", "renew", "early", "replace", "passport", "cancel"]
Stage = Literal["city", "province", "mfa"]
PickupMethod = Literal["self", "mail"]

BUSINESS_TYPES: tuple[str, ...] = ("new", "renew", "early", "replace", "passport", "cancel")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# 用户中心's menu: each entry's page and its name where the province gives none ("applications" is
# named by branding.my_applications).
MENU = {
    "apply": ("apply.start_page", "业务申报"), "applications": ("user_center.applications", None),
    "history": ("user_center.history", "申报历史查询"), "documents": ("user_center.documents", "我的单据"),
    "messages": ("notifications.inbox", "消息中心"), "persons": ("enterprises.persons", "成员管理"),
    "addresses": ("enterprises.addresses", "地址簿"), "invoices": ("enterprises.invoices", "发票信息"),
    "handlers": ("enterprises.handlers", "经办人管理"),
}
MENU_ENTRIES = tuple(MENU)
MenuEntry = Literal[MENU_ENTRIES]


class Branding(Strict):
    title: str
    short_title: str
    authority: str = Field(description="Who runs the service, shown in the footer")
    primary_color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    accent_color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    logo_text: str = Field(max_length=4, description="Characters shown in the round logo")
    contact_phone: str = ""
    notice: str = ""
    tips: tuple[str, ...] = Field(default=(), description=(
        "温馨提示, one line each, on the home page and 业务申报 (Liaoning: the guide's four)"))
    my_applications: str = Field(default="我的申请单", description="name of the enterprise's list of applications")
    login_button: str = Field(default="确认", description="the 登录 page's button, as the guide names it")
    menu: tuple[MenuEntry, ...] = Field(default=tuple(e for e in MENU_ENTRIES if e != "history"), description=(
        "the entries of 用户中心's menu, in order; history (申报历史查询) is Hebei's, seed 003"))
    menu_labels: dict[MenuEntry, str] = Field(default_factory=dict, description=(
        "names of menu entries where the guide has its own (Guangxi: 商务旅行卡 for 业务申报); the list's is "
        "my_applications"))
    tab_labels: dict[Literal["new", "early", "replace", "passport", "cancel"], str] = Field(
        default_factory=dict, description="names of the list's tabs, by business (Guangxi: 我的办件_更换护照 …)")


class PickupPoint(Strict):
    name: str
    address: str
    phone: str = ""


class Office(Strict):
    name: str
    stage: Stage
    address: str = ""
    postcode: str = Field(default="", pattern=r"^(\d{6})?$")
    phone: str = ""
    reports_to: str | None = Field(
        default=None,
        description="Office an application goes to after this one; "
        "default is the first office of the next stage of the chain",
    )
    accepts_registrations: bool = Field(
        default=True, description="Enterprises may choose this office when registering"
    )
    pickup_methods: tuple[PickupMethod, ...] = ("self", "mail")
    pickup_points: tuple[PickupPoint, ...] = ()


FileType = Literal["pdf", "jpeg", "png"]
Ownership = Literal["state", "private", "foreign", "other"]


class MaterialSpec(Strict):
    """One entry of a province's material list (DESIGN.md section 7)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    scope: Literal["application", "member"] = "application"
    required: bool = True
    types: tuple[FileType, ...] = Field(default=("pdf", "jpeg", "png"), min_length=1)
    max_mb: int = Field(default=10, ge=1, le=50)
    image_size: tuple[int, int] | None = Field(default=None, description="exact width, height in pixels")
    white_background: bool = False
    template: str | None = Field(default=None, description="code of a generated document to download, sign and upload")
    example: str = Field(default="", description="what a correct upload looks like (查看示例)")
    ownership: tuple[Ownership, ...] = Field(default=(), description="only for these ownerships; empty: all")
    reasons: tuple[str, ...] = Field(default=(), description=(
        "only when the related business's reason is one of these (换补卡 lost: 挂失证明); empty: all"))
    trade_kinds: tuple[Literal["goods", "services"], ...] = Field(default=(), description=(
        "only for enterprises of these 企业类型, declared on 在线填表 (Liaoning: 报关单 for goods, "
        "contracts, visa and e-mails for the others); empty: all"))
    issued_within_months: int | None = Field(default=None, ge=1, description="certificate must be this recent")
    max_count: int = Field(
        default=1, ge=1, description="files this material takes; uploading into a full slot replaces one"
    )


StepName = Literal["notice", "form", "members", "materials", "pickup", "report", "confirm"]


class Wizard(Strict):
    """The enterprise's application screens, in the order of the province's guide."""

    steps: tuple[StepName, ...] = Field(min_length=1, description="the steps of 新办 and 续办")
    notice_title: str = "办理须知"
    notice_ack: str = "我已经阅读"
    notice: str = ""
    declaration: bool = Field(default=False, description="在线填表 asks 申报条件 (employees, tax grade, trade)")
    step_labels: dict[str, str] = Field(default_factory=dict)
    start_label: str | None = Field(default=None, description=(
        "the button on the list of applications that starts a business; default: the menu's name of 业务申报"))
    start_verb: str = Field(default="申请", description=(
        "before a business's name on its button in 业务申报 (申请新办); Guangxi's names are verbs already (新卡申办)"))
    business_steps: dict[BusinessType, tuple[StepName, ...]] = Field(default_factory=dict, description=(
        "the steps of a related business where they differ from seed 000's (see applications/steps.py)"))
    combined_related: str | None = Field(default=None, description=(
        "业务申报 offers the related businesses as one business of this name (Hebei: 制卡、换卡), its kind "
        "chosen first; default: each its own, started on the application it relates to"))
    submit_label: str = Field(default="提交", description="the button of the confirm step")
    draft_label: str = Field(default="暂存", description="the button that keeps a step unfinished (Hebei: 保存)")


class Workflow(Strict):
    chain: tuple[Stage, ...] = Field(min_length=1)
    application_unit: Literal["single", "group", "batch"] = Field(description=(
        "single: one applicant per 申请单, chosen on 在线填表 (no members step); group: a 团组 whose "
        "members are filled in one by one on the members step (保存并下一人); batch: a 申报 of several "
        "persons picked from 成员管理 on the members step"))
    withdraw_before_acceptance: bool
    payment_stage: Literal[tuple(PAYMENT_STAGES)] = Field(description="see provinces/payment.py")
    payment_methods: tuple[Literal["online", "window"], ...] = Field(
        default=("online", "window"), min_length=1,
        description="what the enterprise chooses from at 上报; dormant unless payment_stage is chosen_at_report",
    )
    remittance_material: str | None = Field(
        default=None, description="the material that is the 汇款单 (payment_stage remittance_at_submission)"
    )
    renew_within_months: int = Field(ge=1, le=24)
    default_pickup: Literal["self", "mail"] | None = Field(default=None, description=(
        "取卡方式 chosen beforehand on the step that asks it; where no step asks (Hebei), how every "
        "card is handed over: self, at the enterprise's own office"))
    payment_office_stage: Stage | None = Field(default=None, description=(
        "the stage whose office on the application's path confirms its payment and has the window for "
        "窗口支付 (Guangxi: province, 广西外办); default: the office that approved it, at the chain's end"))
    return_notice_sms: bool = False
    overdue_days: dict[Stage, int] = Field(
        default_factory=lambda: {"city": 5, "province": 5, "mfa": 20},
        description="days an application may wait at an office of each stage before it is marked overdue",
    )
    overdue_in_working_days: bool = Field(default=True, description=(
        "overdue_days counts working days (China's calendar: weekends and public holidays off, 调休 "
        "weekends worked); false: calendar days"))


class Fees(Strict):
    card_fee: int = Field(ge=0)
    payee: str
    bank: str
    account: str


class Eligibility(Strict):
    min_employees: int = Field(default=0, ge=0)
    min_tax_grade: Literal["A", "B", "M", "C", "D"] | None = None
    passport_min_valid_months: int = Field(default=0, ge=0)
    no_criminal_record_max_age_months: int = Field(default=0, ge=0)
    criminal_record_material: str | None = Field(
        default=None, description="the material that is the 无犯罪记录证明 whose age is checked"
    )
    tax_paid_alternative: bool = Field(default=False, description=(
        "a 完成依法纳税证明 meets the tax standard instead of min_tax_grade (Liaoning)"))
    min_social_insurance_months: int = Field(default=0, ge=0, description=(
        "在线填表 asks the applicant's months of 社保 and that its name and employer match (Liaoning: 6)"))
    prohibited_title: str = "违规禁办事项清单"
    prohibited: dict[Literal["new", "renew"], tuple[str, ...]] = Field(default_factory=dict, description=(
        "the cases an applicant declares on 在线填表 not to be in, per business type (Liaoning's 禁办情形)"))


class Hints(Strict):
    """Examples shown under fields, in the province's own words."""

    passport_place: str = Field(default="", description="under 护照签发地点, e.g. 如 HUNAN 或 湖南")


class Demo(Strict):
    """`flask demo-data`: the province's demo enterprise (accounts and persons are made from it)."""

    enterprise: str
    uscc17: str = Field(pattern=r"^[0-9A-Z]{17}$", description="统一社会信用代码 without its check character")
    legal_representative: str
    ownership: Ownership
    office: str
    region: str = Field(pattern=r"^[0-9]{6}$", description="行政区划代码 of the persons' 身份证号")
    employees: int = Field(ge=0)
    tax_grade: Literal["A", "B", "M", "C", "D"]


class ProvinceConfig(Strict):
    code: str = Field(pattern=r"^[a-z]+$")
    name: str
    guide: str = Field(description="Seed guide this province follows")
    branding: Branding
    workflow: Workflow
    fees: Fees
    eligibility: Eligibility = Eligibility()
    hints: Hints = Hints()
    demo: Demo | None = None
    business_types: tuple[BusinessType, ...] = Field(min_length=1)
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Visible label overrides, keyed by business type or status code",
    )
    offices: dict[str, Office] = Field(min_length=1)
    wizard: Wizard
    materials: dict[BusinessType, tuple[MaterialSpec, ...]] = Field(
        default_factory=dict, description="per business type; renew falls back to new"
    )



def cross_check(config: ProvinceConfig) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """Rules that span keys: (message, the key paths involved, the first one named)."""
    problems = []
    stages = {office.stage for office in config.offices.values()}
    for stage in config.workflow.chain:
        if stage not in stages:
            problems.append((f"names stage '{stage}' but no office has that stage", (("workflow", "chain"),)))
    for code, office in config.offices.items():
        if office.stage not in config.workflow.chain:
            problems.append((
                f"'{office.stage}' is not in workflow.chain",
                (("offices", code, "stage"), ("workflow", "chain")),
            ))
        if office.reports_to is not None and office.reports_to not in config.offices:
            problems.append((f"unknown office code '{office.reports_to}'", (("offices", code, "reports_to"),)))
    for key in config.labels:
        if key not in BUSINESS_TYPES and key not in STATUS_LABELS:
            problems.append((f"'{key}' is neither a business type nor a status code", (("labels", key),)))
    for business_type, specs in config.materials.items():
        codes = [spec.code for spec in specs]
        for code in {c for c in codes if codes.count(c) > 1}:
            problems.append((f"material code '{code}' is listed twice", (("materials", business_type),)))
    workflow, eligibility = config.workflow, config.eligibility
    steps, unit, payment = set(config.wizard.steps), workflow.application_unit, PAYMENT_STAGES[workflow.payment_stage]
    unit_and_steps = (("wizard", "steps"), ("workflow", "application_unit"))
    if unit == "single" and "members" in steps:
        problems.append(("application_unit single chooses the applicant on 在线填表: remove the members step",
                         unit_and_steps))
    if unit != "single" and "members" not in steps:
        problems.append((f"application_unit {unit} needs a members step", unit_and_steps))
    if unit == "single" and "form" not in steps:
        problems.append(("application_unit single chooses the applicant on 在线填表: add the form step",
                         unit_and_steps))
    if not steps & {"pickup", "report"} and workflow.default_pickup != "self":
        problems.append(("no step asks 取卡方式, so cards are handed over at the enterprise's office: "
                         "default_pickup = \"self\"", (("workflow", "default_pickup"), ("wizard", "steps"))))
    member_files = any(spec.scope == "member" for specs in config.materials.values() for spec in specs)
    if unit != "group" and member_files and "materials" not in steps:
        problems.append((f"application_unit {unit} uploads each member's files on the materials step: add it "
                         "(only a 团组 takes them in each member's form)", unit_and_steps))
    material_codes = {spec.code for specs in config.materials.values() for spec in specs}
    if payment.method is None and "report" not in steps:
        problems.append((f"payment_stage {workflow.payment_stage} asks 支付方式 at 上报: add the report step",
                         (("wizard", "steps"), ("workflow", "payment_stage"))))
    if payment.voucher_at_submission and workflow.remittance_material not in material_codes:
        problems.append((f"payment_stage {workflow.payment_stage} needs remittance_material, a material code",
                         (("workflow", "remittance_material"), ("workflow", "payment_stage"))))
    if eligibility.no_criminal_record_max_age_months and eligibility.criminal_record_material not in material_codes:
        problems.append(("no_criminal_record_max_age_months needs criminal_record_material, a material code",
                         (("eligibility", "criminal_record_material"),
                          ("eligibility", "no_criminal_record_max_age_months"))))
    declared = {"tax_paid_alternative": eligibility.tax_paid_alternative,
                "min_social_insurance_months": eligibility.min_social_insurance_months,
                "prohibited": eligibility.prohibited}
    for key, value in declared.items():
        if value and not config.wizard.declaration:
            problems.append((f"{key} is asked on 在线填表's 申报条件: set wizard.declaration = true",
                             (("eligibility", key), ("wizard", "declaration"))))
    if eligibility.min_social_insurance_months and unit != "single":
        problems.append(("min_social_insurance_months asks the one applicant's 社保 on 在线填表: "
                         "application_unit single", (("eligibility", "min_social_insurance_months"),
                                                     ("workflow", "application_unit"))))
    for business_type, specs in config.materials.items():
        for index, spec in enumerate(specs):
            if spec.trade_kinds and not config.wizard.declaration:
                problems.append(("trade_kinds follows the 企业类型 of 在线填表's 申报条件: set wizard.declaration = true",
                                 (("materials", business_type, str(index), "trade_kinds"), ("wizard", "declaration"))))
    for business_type in config.wizard.business_steps:
        if business_type in ("new", "renew"):
            problems.append((f"{business_type} takes wizard.steps", (("wizard", "business_steps", business_type),)))
        elif business_type not in config.business_types:
            problems.append((f"'{business_type}' is not in business_types", (("wizard", "business_steps", business_type),
                                                                           ("business_types",))))
    if config.demo is not None and config.demo.office not in config.offices:
        problems.append((f"unknown office code '{config.demo.office}'", (("demo", "office"),)))
    if not any(office.accepts_registrations for office in config.offices.values()):
        problems.append(("at least one office must accept registrations", (("offices",),)))
    return problems
