"""The steps of a province's wizard and what they are called (its `[wizard]` in province.toml)."""

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
