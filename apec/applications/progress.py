"""The status bar of 订单详情 and 我的申请单: the path this application actually takes (its
province's chain from the enterprise's office, its payment stage, its pickup), each step done,
current or still to come."""

from dataclasses import dataclass

from ..provinces.registry import get_province
from .states import REVIEW_STATUSES

DONE, CURRENT, TO_COME, STOPPED = "done", "current", "to-come", "stopped"

# Statuses past the offices' review, by the step they are at (after 提交申请 and the offices).
LATER_STEPS = (
    ("awaiting_payment", "payment_review"),
    ("economies_review", "economies_review_early_made"),
    ("economies_done", "economies_done_early_made"),
    ("card_ready",),
    ("picked_up", "mailed"),
)


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # DONE, CURRENT, TO_COME, or STOPPED (where a 不予受理/审核不通过 ended it)


def progress(application) -> list[Step]:
    province = get_province(application.province)
    path = province.review_path(application.enterprise.office_code)
    status, office = application.status, application.office_code
    if status == "rejected":
        status, office = _where_it_ended(application)
    at = _position(status, office, path)
    handed = "邮寄" if application.pickup_method == "mail" else "自取"
    labels = (["提交申请"] + [f"{province.office(code).name}审核" for code in path]
              + [province.payment.step_label, "APEC经济体审核", "制卡"])
    labels.append(("已" if at > len(labels) else "待") + handed)
    state_here = STOPPED if application.status == "rejected" else CURRENT
    return [Step(label, DONE if index < at else state_here if index == at else TO_COME)
            for index, label in enumerate(labels)]


def _position(status: str, office: str, path: list[str]) -> int:
    """The index of the step the application is at (len(steps) once the card is handed over)."""
    if status in ("draft", "returned"):
        return 0
    if status == "submitted" or status in REVIEW_STATUSES:
        return 1 + (path.index(office) if office in path else 0)
    for offset, statuses in enumerate(LATER_STEPS):
        if status in statuses:
            return 1 + len(path) + offset
    return 0


def _where_it_ended(application) -> tuple[str, str]:
    """The status and office an application was refused at (its 不予受理/审核不通过 entry)."""
    refusal = next((event for event in reversed(application.timeline) if event.action == "reject"), None)
    if refusal is None:
        return "submitted", application.office_code
    return refusal.from_status, refusal.office_code
