"""What each related business asks on its 在线填表 and needs before it is submitted (DESIGN.md
section 3, seed 000 §2). Which parent allows which business, and its number suffix, are in
states.RELATED; what approval does is in workflow.py."""

import datetime
from dataclasses import dataclass, field

from ..crypto import decrypt

FEE_BEARING_TYPES = ("new", "renew", "early", "replace")  # the card fee per person (DESIGN.md section 3)
OTHER = "other"  # the reason that needs its own words
NEW_PASSPORT_KEYS = ("number", "type", "issue_date", "expiry_date", "authority", "place")  # each a person's passport_*
NEW_PASSPORT_NUMBER = "new_passport.number"  # where in `extra` the sealed number is kept
HANDOVER_LABELS = {"onsite": "现场", "mail": "邮寄"}  # how the old card is handed back


@dataclass(frozen=True)
class Business:
    reasons: tuple[tuple[str, str], ...] = ()
    reason_title: str = "原因"
    acknowledgement: str = ""  # the tick the user must give; "" for none
    no_acknowledgement_for: frozenset[str] = field(default_factory=frozenset)  # a lost card cannot be handed back
    asks_handover: bool = False  # 交卡方式 of the old card
    asks_invoice: bool = False
    asks_new_passport: bool = False
    # About a card already made (换补卡, 注销卡): only its holders take part, and the card's number,
    # validity and economies are shown with those approved since.
    about_a_card: bool = False
    makes_card: bool = False  # a card of its own, made once paid


BUSINESSES: dict[str, Business] = {
    "early": Business(makes_card=True),
    "replace": Business(
        reasons=(("damaged", "卡破损"), ("lost", "卡遗失"), ("new_passport", "换新护照"),
                 ("more_economies", "新增获批经济体"), (OTHER, "其他原因")), reason_title="换补卡原因",
        acknowledgement="换补卡（卡丢失除外）需交还原 APEC 卡，我已知晓", no_acknowledgement_for=frozenset({"lost"}),
        asks_handover=True, asks_invoice=True, about_a_card=True, makes_card=True,
    ),
    "passport": Business(reasons=(("lost", "原护照遗失"), ("full", "原护照满页"), (OTHER, "其他")),
                         reason_title="更换护照原因", asks_new_passport=True),
    "cancel": Business(
        reasons=(("left", "离职"), ("retired", "退休"), ("closed", "企业注销"), (OTHER, "其他")), reason_title="注销原因",
        acknowledgement="注销卡需交还原 APEC 卡，我已知晓", asks_handover=True, about_a_card=True,
    ),
}
LOST_CARD = "lost"  # 换补卡 for a lost card: the old card is cancelled on approval


def business_of(application) -> Business | None:
    return BUSINESSES.get(application.business_type)


def makes_card(application) -> bool:
    """新办/续办, 提前制卡 and 换补卡 make a card; 更换护照 and 注销卡 do not."""
    business = business_of(application)
    return business is None or business.makes_card


def reason_label(application) -> str:
    business = business_of(application)
    label = dict(business.reasons).get(application.reason, "") if business else ""
    if application.reason == OTHER and application.reason_other:
        return f"{label}：{application.reason_other}"
    return label


def needs_acknowledgement(business: Business, reason: str | None) -> bool:
    return bool(business.acknowledgement) and reason not in business.no_acknowledgement_for


def new_passport(application) -> dict | None:
    """The new passport a 未制卡仅更换护照 gives, its number decrypted; None until filled in."""
    stored = (application.extra or {}).get("new_passport")
    if not stored:
        return None
    shown = dict(stored)
    shown["number"] = decrypt(shown.pop("number_encrypted"), application.seal_context(NEW_PASSPORT_NUMBER))
    for key in ("issue_date", "expiry_date"):
        shown[key] = datetime.date.fromisoformat(shown[key])
    return shown


def business_missing(application) -> list[str]:
    """What the related business's own 在线填表 still lacks, as sentences; empty when complete."""
    business = business_of(application)
    if business is None:
        return []
    missing = []
    if business.reasons and not application.reason:
        missing.append("请选择原因")
    if application.reason == OTHER and not application.reason_other.strip():
        missing.append("选择“其他”原因时请填写具体原因")
    if business.asks_handover and not application.handover_method:
        missing.append("请选择交卡方式")
    if business.asks_invoice and not application.invoice_snapshot:
        missing.append("请填写发票信息")
    if needs_acknowledgement(business, application.reason) \
            and not (application.acknowledgements or {}).get(application.business_type):
        missing.append(f"请勾选“{business.acknowledgement}”")
    if business.asks_new_passport and new_passport(application) is None:
        missing.append("请填写新护照信息")
    return missing
