"""Who may move an application from which status to which: pure data.

`workflow.transition` is the only code that applies these rules. A target
of None means the action's own work in workflow.py decides among the
statuses named in `outcomes` (e.g. 受理 opens the review of the office's
stage; 审核通过 at the MFA stage leads to 待缴费 or straight to 支付凭证确认).
"""

from dataclasses import dataclass, field

from ..accounts.models import ENTERPRISE_ROLES, ROLE_REVIEWER
from ..statuses import STATUS_LABELS

REVIEW_STATUSES = frozenset({"city_review", "province_review", "mfa_review"})
# The enterprise fills it in: 暂存 (or withdrawn), or returned with an opinion.
EDITABLE = frozenset({"draft", "returned"})
# In nobody's hands: never submitted (or withdrawn), refused, the card handed over or cancelled, or
# every economy decided after a card was made early (more economies then come by 换补卡).
# A person with an application in any other status has one open.
CLOSED = frozenset({"draft", "rejected", "picked_up", "mailed", "card_cancelled", "completed",
                    "economies_done_early_made"})
# Where the office itself must act, so waiting makes it late; waiting for the enterprise's payment
# or for the economies' decisions (months, seed 004) does not.
OFFICE_MUST_ACT = frozenset({"submitted", "city_review", "province_review", "mfa_review", "payment_review",
                             "economies_done", "card_pending", "card_ready"})


def enters_stage(before: str, office_before: str | None, after: str, office_after: str | None) -> bool:
    """Whether a change starts a new stage, and so the overdue clock: the application reaches
    another office, or passes between the office's hands and someone else's (submitted or
    resubmitted, a fee awaited or paid, the economies all decided). 受理 starts none."""
    return office_after != office_before or (before in OFFICE_MUST_ACT) != (after in OFFICE_MUST_ACT)


# Timeline entries of the office's own housekeeping, not shown to the enterprise.
STAFF_ONLY_EVENTS = frozenset({"assign"})
REVIEWABLE = frozenset({"submitted"}) | REVIEW_STATUSES
STAGE_REVIEW = {"city": "city_review", "province": "province_review", "mfa": "mfa_review"}
ECONOMIES_REVIEW = frozenset({"economies_review", "economies_review_early_made"})
PAYMENT_STATUSES = frozenset({"awaiting_payment", "payment_review"})
# After the fee, at the chain's last office: the economies, the card, its hand-over.
# Until the card is made, one member can end on their own.
MEMBER_OWN_END = REVIEWABLE | ECONOMIES_REVIEW | frozenset({"economies_done", "card_pending"})
AT_CHAIN_END = ECONOMIES_REVIEW | frozenset({"economies_done", "economies_done_early_made", "card_pending",
                                             "card_ready"})


def reachable_statuses(province) -> list[str]:
    """The statuses an application of this province can be in, in canonical order: not the review
    of a stage its chain lacks (Hunan and Guangxi have no 市外办)."""
    missing = {status for stage, status in STAGE_REVIEW.items() if stage not in province.config.workflow.chain}
    return [code for code in STATUS_LABELS if code not in missing]


def open_statuses_at(province, stage: str) -> list[str]:
    """The statuses an application can be in while it is in the hands of an office of `stage`
    (its 待办): 已提交 (first, or again after that office's 退回), the stage's review, the fee at
    the stage that confirms it, and what follows the fee at the chain's last stage."""
    workflow = province.config.workflow
    possible = {"submitted", STAGE_REVIEW[stage]}
    if stage == (workflow.payment_office_stage or workflow.chain[-1]):
        possible |= PAYMENT_STATUSES
    if stage == workflow.chain[-1]:
        possible |= AT_CHAIN_END
    return [code for code in reachable_statuses(province) if code in possible]


@dataclass(frozen=True)
class Transition:
    label: str                      # what the user did, for messages and the timeline
    sources: frozenset[str]         # statuses it may start from
    target: str | None              # None: the action decides among `outcomes`
    roles: tuple[str, ...]
    province_rule: str | None = None  # a workflow flag of the province that must be true
    outcomes: frozenset[str] = field(default_factory=frozenset)
    needs_comment: bool = False       # an opinion or reason is required
    notify_sms: bool = False          # also send an SMS where the province asks for it
    automatic: bool = False           # follows by itself (no one takes it), so it is no one's button
    own_function: str | None = None   # applied by this workflow function instead of transition()
    notice: str | None = None         # the messages' title after the number; default 已 + the label


STAFF = (ROLE_REVIEWER,)

TRANSITIONS: dict[str, Transition] = {
    # The enterprise
    # From 暂存, or again after a 退回 (重新提交: back to the office that returned it).
    "submit": Transition("提交", EDITABLE, "submitted", ENTERPRISE_ROLES),
    "withdraw": Transition(
        "撤回", frozenset({"submitted"}), "draft", ENTERPRISE_ROLES, province_rule="withdraw_before_acceptance"
    ),
    "pay": Transition("上传缴费凭证", frozenset({"awaiting_payment"}), "payment_review", ENTERPRISE_ROLES),
    # The office the application is at
    "accept": Transition("受理", frozenset({"submitted"}), None, STAFF, outcomes=REVIEW_STATUSES),
    "return": Transition("退回", REVIEWABLE, "returned", STAFF, needs_comment=True, notify_sms=True),
    "reject": Transition(
        "不予受理", REVIEWABLE | {"economies_review", "economies_done"}, "rejected", STAFF,
        needs_comment=True, notify_sms=True,
    ),
    "forward": Transition(
        "上报", frozenset({"city_review", "province_review"}), None, STAFF,
        outcomes=frozenset({"province_review", "mfa_review"}),
    ),
    # A fee asks for payment; a free related business takes effect here (its card cancelled, or
    # the member's passport replaced).
    "approve": Transition(
        "审核通过", frozenset({"mfa_review"}), None, STAFF,
        outcomes=frozenset({"awaiting_payment", "payment_review", "card_cancelled", "completed"}),
    ),
    # 新办/续办 then waits for the economies; 提前制卡 and 换补卡 take the parent's decisions.
    "confirm_payment": Transition(
        "确认缴费", frozenset({"payment_review", "awaiting_payment"}), None, STAFF,
        outcomes=frozenset({"economies_review", "card_pending"}),
    ),
    "return_payment": Transition(
        "退回缴费凭证", frozenset({"payment_review"}), "awaiting_payment", STAFF, needs_comment=True
    ),
    # A timeline entry per decision; the status stays until every economy is decided, and then
    # complete_economies follows.
    "record_economies": Transition(
        "记录经济体审核结果", ECONOMIES_REVIEW, None, STAFF, own_function="record_economy_decisions",
    ),
    # After 全部经济体审核完成, before the card: one decision put right, with the reason (audited).
    "correct_economies": Transition(
        "更正经济体审核结果", frozenset({"economies_done", "economies_done_early_made"}), None, STAFF,
        needs_comment=True, own_function="correct_economy_decision",
    ),
    "complete_economies": Transition(
        "经济体审核完成", ECONOMIES_REVIEW, None, STAFF, automatic=True,
        outcomes=frozenset({"economies_done", "economies_done_early_made"}), notice="全部经济体审核完成",
    ),
    # One member of a group or batch ends on their own while the others go on (the application's
    # status stays): refused by the office with the reason, or withdrawn by the enterprise.
    "refuse_member": Transition(
        "该成员审核不通过", MEMBER_OWN_END, None, STAFF, needs_comment=True, own_function="end_member",
    ),
    "withdraw_member": Transition(
        "撤回该成员", MEMBER_OWN_END | PAYMENT_STATUSES, None, ENTERPRISE_ROLES, own_function="end_member",
    ),
    "issue_card": Transition("制卡", frozenset({"economies_done", "card_pending"}), "card_ready", STAFF),
    # Follows on the parent when its 提前制卡 card is made.
    "early_card_made": Transition(
        "已提前制卡", frozenset({"economies_review", "economies_done"}), None, STAFF, automatic=True,
        outcomes=frozenset({"economies_review_early_made", "economies_done_early_made"}), notice="已提前制卡",
    ),
    "hand_over": Transition(
        "交付", frozenset({"card_ready"}), None, STAFF, outcomes=frozenset({"picked_up", "mailed"})
    ),
}


# 关联业务 (DESIGN.md section 3, seed 000 §2): started on a submitted 新办/续办, its parent, when
# the parent is in one of these statuses. The number is the parent's + "-NN-" + the suffix.
@dataclass(frozen=True)
class Related:
    suffix: str
    parent_statuses: frozenset[str]


PARENT_TYPES = ("new", "renew")
CARD_MADE = frozenset({"economies_review_early_made", "economies_done_early_made", "picked_up", "mailed"})
RELATED: dict[str, Related] = {
    # Some economies approved, not all: a card with those now, more by 换补卡 later.
    "early": Related("tq", frozenset({"economies_review"})),
    "replace": Related("hb", CARD_MADE),
    # Before the card is made: it will be made with the new passport.
    "passport": Related("hz", frozenset({"economies_review"})),
    "cancel": Related("zx", CARD_MADE),
}
