"""Who may move an application from which status to which: pure data.

`workflow.transition` is the only code that applies these rules.
Review-side actions (accept, return, forward …) join this table with the
back-office work.
"""

from dataclasses import dataclass

from ..accounts.models import ENTERPRISE_ROLES


@dataclass(frozen=True)
class Transition:
    label: str                      # what the user did, for messages and the timeline
    sources: frozenset[str]         # statuses it may start from
    target: str
    roles: tuple[str, ...]
    province_rule: str | None = None  # a workflow flag of the province that must be true


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition("提交", frozenset({"draft"}), "submitted", ENTERPRISE_ROLES),
    "resubmit": Transition("重新提交", frozenset({"returned"}), "submitted", ENTERPRISE_ROLES),
    "withdraw": Transition(
        "撤回", frozenset({"submitted"}), "draft", ENTERPRISE_ROLES, province_rule="withdraw_before_acceptance"
    ),
}
