"""The named hooks every province plugin answers.

A plugin is a package under `apec/provinces/<code>/` whose `__init__.py`
defines `Plugin`, a subclass of `ProvincePlugin`, next to its data file
`province.toml`. Everything that data can say lives in the TOML; a subclass
overrides a hook only where a rule needs code.
"""

from .payment import PAYMENT_STAGES, PaymentStage
from .schema import BUSINESS_TYPES, MENU, Office, ProvinceConfig

BUSINESS_TYPE_LABELS = {
    "new": "新办",
    "renew": "续办",
    "early": "提前制卡",
    "replace": "换补卡",
    "passport": "未制卡仅更换护照",
    "cancel": "注销卡",
}

STAGE_LABELS = {"city": "市外办", "province": "省外办", "mfa": "外交部领事司"}

APPLICATION_UNIT_LABELS = {"single": "每份申请单一名申请人", "group": "团组（逐一填写成员）",
                           "batch": "一次申报多名人员（从成员管理中选择）"}


class ProvincePlugin:
    """One province's rules, built from its validated configuration."""

    def __init__(self, config: ProvinceConfig):
        self.config = config

    @property
    def code(self) -> str:
        return self.config.code

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def branding(self):
        return self.config.branding

    @property
    def payment(self) -> PaymentStage:
        """When and how the fee is paid (its workflow.payment_stage)."""
        return PAYMENT_STAGES[self.config.workflow.payment_stage]

    def payment_choices(self) -> tuple[str, ...]:
        """The 支付方式 the enterprise chooses from at 上报; none where the payment stage fixes it."""
        return self.config.workflow.payment_methods if self.payment.method is None else ()

    @property
    def fills_in_members(self) -> bool:
        """A 团组: each member is filled in on the members step itself, rather than picked from
        成员管理 (a 申报 of several persons) or chosen on 在线填表 (one applicant)."""
        return self.config.workflow.application_unit == "group"

    def menu_label(self, key: str) -> str:
        """用户中心's menu entry as the province names it."""
        return self.branding.menu_labels.get(key) or MENU[key][1] or self.branding.my_applications

    def menu(self) -> list[tuple[str, str, str]]:
        """The province's menu entries, in order: (entry, endpoint, name)."""
        return [(key, MENU[key][0], self.menu_label(key)) for key in self.branding.menu]

    @property
    def start_label(self) -> str:
        return self.config.wizard.start_label or self.menu_label("apply")

    def label(self, key: str) -> str:
        """Visible label of a business type or status, with the province's wording."""
        return self.config.labels.get(key) or BUSINESS_TYPE_LABELS.get(key, key)

    def business_types(self) -> list[tuple[str, str]]:
        """(code, label) of the business types this province offers, in canonical order."""
        offered = set(self.config.business_types)
        return [(code, self.label(code)) for code in BUSINESS_TYPES if code in offered]

    def material_list(self, business_type: str) -> tuple:
        """The business type's material list as configured (renew falls back to new), before the
        ownership, 企业类型 and reason of an application choose from it."""
        lists = self.config.materials
        specs = lists.get(business_type)
        if specs is None and business_type == "renew":
            specs = lists.get("new")
        return specs or ()

    def office(self, code: str) -> Office | None:
        return self.config.offices.get(code)

    def offices(self) -> list[tuple[str, Office]]:
        """All offices in the order the province's guide lists them."""
        return list(self.config.offices.items())

    def registration_offices(self) -> list[tuple[str, Office]]:
        """Offices an enterprise may choose as its own when registering."""
        return [(code, office) for code, office in self.offices() if office.accepts_registrations]

    def city_offices(self) -> list[tuple[str, Office]]:
        """The 市外办, whose backlogs the province office oversees (read-only)."""
        return [(code, office) for code, office in self.offices() if office.stage == "city"]

    def first_office(self, enterprise_office: str) -> str:
        """Office that receives an enterprise's application first: its own office."""
        return enterprise_office

    def next_office(self, office_code: str) -> str | None:
        """Office an application goes to after `office_code` approves it, or None at the end.

        An office's `reports_to` wins (Liaoning: Shenyang and Dalian report to the
        MFA directly); otherwise the first office of the next stage in the chain.
        """
        office = self.config.offices[office_code]
        if office.reports_to:
            return office.reports_to
        chain = self.config.workflow.chain
        position = chain.index(office.stage)
        for stage in chain[position + 1:]:
            for code, candidate in self.config.offices.items():
                if candidate.stage == stage:
                    return code
        return None

    def review_path(self, enterprise_office: str) -> list[str]:
        """Every office an application from this enterprise office passes, in order."""
        path = [self.first_office(enterprise_office)]
        while (following := self.next_office(path[-1])) is not None:
            if following in path:
                raise ValueError(f"review chain loops at office '{following}'")
            path.append(following)
        return path

BUSINESS_TYPE_DESCRIPTIONS = {
    "new": "对本单位未持卡人员初次申请办理 APEC 商务旅行卡。",
    "renew": "持卡人的卡将在有效期届满前申请续办新卡。",
    "early": "相关经济体未全部完成审批前，因工作急需出访，可申请提前制卡。",
    "replace": "卡破损、遗失，更换护照，或提前制卡后获更多经济体批准，可申请换补卡。",
    "passport": "申办期间更换了护照、新卡尚未制作时，提交新护照信息，不收费。",
    "cancel": "持卡人离职、退休或企业注销时，申请注销卡并交还原卡。",
}
