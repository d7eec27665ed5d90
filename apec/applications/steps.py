"""The steps of a province's wizard (its `[wizard]` in province.toml): their names, their order,
and which step holds which part of an application. 新办/续办 take `steps`; a related business
the steps of seed 000 §2 (or the province's `business_steps`)."""

DEFAULT_STEP_LABELS = {
    "form": "在线填表", "members": "成员信息", "materials": "上传材料", "pickup": "取卡方式",
    "report": "上报", "confirm": "信息确认",
}


def step_labels(province) -> dict[str, str]:
    wizard = province.config.wizard
    return dict(DEFAULT_STEP_LABELS, notice=wizard.notice_title, **wizard.step_labels)


def step_label(province, step: str) -> str:
    """What the province calls this step, for messages that send the user there."""
    return step_labels(province)[step]


def pickup_label(province) -> str:
    """取卡方式 where a step asks it; where none does (Hebei: the enterprise's own office) 领卡方式."""
    used = {step for business in province.config.business_types for step in steps_of(province, business)}
    return step_labels(province)["pickup"] if "pickup" in used else "领卡方式"


# 在线填表 → 上传材料 → 取卡方式 (a business that makes a card) → 信息确认 (seed 000 §2.1–2.4).
RELATED_STEPS = {
    "early": ("form", "materials", "pickup", "confirm"),
    "replace": ("form", "materials", "pickup", "confirm"),
    "passport": ("form", "materials", "confirm"),
    "cancel": ("form", "materials", "confirm"),
}


def steps_of(province, business_type: str) -> tuple[str, ...]:
    """The steps of `business_type` in this province. A related business drops 取卡方式 where the
    province asks it nowhere (Hebei: every card at the enterprise's own office)."""
    wizard = province.config.wizard
    if business_type in wizard.business_steps:
        return wizard.business_steps[business_type]
    if business_type not in RELATED_STEPS:
        return wizard.steps
    asks_pickup = bool({"pickup", "report"} & set(wizard.steps))
    return tuple(step for step in RELATED_STEPS[business_type] if step != "pickup" or asks_pickup)


def wizard_steps(province, application) -> list[tuple[str, str]]:
    labels = step_labels(province)
    return [(step, labels[step]) for step in steps_of(province, application.business_type)]


def step_after(province, application, step: str) -> str | None:
    steps = list(steps_of(province, application.business_type))
    position = steps.index(step)
    return steps[position + 1] if position + 1 < len(steps) else None


def step_before(province, application, step: str) -> str | None:
    steps = list(steps_of(province, application.business_type))
    position = steps.index(step)
    return steps[position - 1] if position > 0 else None


# Where each part of an application is filled in, by the steps that may hold it, first found first.
HOLDERS = {"members": ("members", "form"), "materials": ("materials", "report"), "address": ("report", "pickup"),
           "invoices": ("report", "form")}


def step_with(province, application, part: str) -> str:
    """The step of the application's wizard that holds `part` (its members or applicant, its files,
    the mailing address, the invoice); the last step if none does."""
    steps = steps_of(province, application.business_type)
    return next((step for step in HOLDERS[part] if step in steps), steps[-1])
