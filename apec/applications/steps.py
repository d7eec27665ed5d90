"""The steps of a province's wizard (its `[wizard]` in province.toml): their names, their order,
and which step holds which part of an application."""

DEFAULT_STEP_LABELS = {
    "form": "在线填表", "members": "成员信息", "materials": "上传材料", "pickup": "取卡方式",
    "report": "上报", "confirm": "信息确认",
}


def step_labels(province) -> dict[str, str]:
    wizard = province.config.wizard
    return dict(DEFAULT_STEP_LABELS, notice=wizard.notice_title, **wizard.step_labels)


def wizard_steps(province) -> list[tuple[str, str]]:
    labels = step_labels(province)
    return [(step, labels[step]) for step in province.config.wizard.steps]


def step_after(province, step: str) -> str | None:
    steps = list(province.config.wizard.steps)
    position = steps.index(step)
    return steps[position + 1] if position + 1 < len(steps) else None


def step_before(province, step: str) -> str | None:
    steps = list(province.config.wizard.steps)
    position = steps.index(step)
    return steps[position - 1] if position > 0 else None


# Where each part of an application is filled in, by the steps that may hold it, first found first.
HOLDERS = {"members": ("members", "form"), "materials": ("materials", "report"), "address": ("report", "pickup"), "invoices": ("report",)}


def step_with(province, part: str) -> str:
    """The step of this province's wizard that holds `part` (its members or applicant, its files,
    the mailing address, the invoice); the last step if none does."""
    steps = province.config.wizard.steps
    return next((step for step in HOLDERS[part] if step in steps), steps[-1])
