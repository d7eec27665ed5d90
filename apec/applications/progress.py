"""The status bar of 订单详情 and 我的申请单: the path this application actually takes (its
province's chain from the enterprise's office, its payment stage, its pickup), each step done,
current or still to come."""

from dataclasses import dataclass

from ..provinces.registry import get_province
from .businesses import makes_card
from .states import REVIEW_STATUSES

DONE, CURRENT, TO_COME, STOPPED = "done", "current", "to-come", "stopped"

# Statuses past the offices' review, by the step they are at (after 提交申请 and the offices); the
# last group is past the last step (the card handed over, the business done).
LATER_STEPS = (
    ("awaiting_payment", "payment_review"),
    ("economies_review", "economies_review_early_made"),
    ("economies_done", "economies_done_early_made"),
    ("card_ready",),
    ("picked_up", "mailed"),
)
# A related business: 提前制卡 and 换补卡 are paid and made on the economies the parent has approved;
# the free ones are done once approved.
RELATED_CARD_STEPS = (("awaiting_payment", "payment_review"), ("card_pending",), ("card_ready",), ("picked_up", "mailed"))
RELATED_FREE_STEPS = {"passport": ((), ("completed",)), "cancel": ((), ("card_cancelled",))}


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
    later, labels = _after_the_offices(application, province)
    at = _position(status, office, path, later)
    labels = ["提交申请"] + [f"{province.office(code).name}审核" for code in path] + labels
    if makes_card(application):  # ends with the card handed over
        handed = "邮寄" if application.pickup_method == "mail" else "自取"
        labels.append(("已" if at > len(labels) else "待") + handed)
    state_here = STOPPED if application.status == "rejected" else CURRENT
    return [Step(label, DONE if index < at else state_here if index == at else TO_COME)
            for index, label in enumerate(labels)]


def _after_the_offices(application, province) -> tuple[tuple, list[str]]:
    """The status groups past the offices and the labels of those steps (without 待自取/已自取)."""
    if application.business_type in RELATED_FREE_STEPS:
        return RELATED_FREE_STEPS[application.business_type], [
            "卡已注销" if application.business_type == "cancel" else "办结"]
    if application.parent_id is not None:
        return RELATED_CARD_STEPS, [province.payment.step_label, "制卡"]
    return LATER_STEPS, [province.payment.step_label, "APEC经济体审核", "制卡"]


def _position(status: str, office: str, path: list[str], later=LATER_STEPS) -> int:
    """The index of the step the application is at (len(steps) once the card is handed over)."""
    if status in ("draft", "returned"):
        return 0
    if status == "submitted" or status in REVIEW_STATUSES:
        return 1 + (path.index(office) if office in path else 0)
    for offset, statuses in enumerate(later):
        if status in statuses:
            return 1 + len(path) + offset
    return 0


def _where_it_ended(application) -> tuple[str, str]:
    """The status and office an application was refused at (its 不予受理/审核不通过 entry)."""
    refusal = next((event for event in reversed(application.timeline) if event.action == "reject"), None)
    if refusal is None:
        return "submitted", application.office_code
    return refusal.from_status, refusal.office_code
