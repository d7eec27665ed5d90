"""Canonical status codes and their default labels (DESIGN.md section 4), and the other codes
every layer names (what a 退回 may ask to change, payment methods and states).

Plain data at the bottom of the house: the web layer and the province plugins read it without
knowing the workflow. Provinces may relabel any status through `labels` in province.toml.
"""

STATUS_LABELS = {
    "draft": "暂存",
    "submitted": "已提交，待受理",
    "returned": "已反馈审核意见",
    "city_review": "市外办审核中",
    "province_review": "省外办审核中",
    "mfa_review": "领事司审核中",
    "awaiting_payment": "待缴费",
    "payment_review": "支付凭证确认",
    "economies_review": "APEC经济体审核中",
    "economies_review_early_made": "APEC经济体审核中，已提前制卡",
    "economies_done": "全部经济体审核完成",
    "economies_done_early_made": "全部经济体审核完成，已提前制卡",
    "card_pending": "待制卡",  # a related business's card (提前制卡, 换补卡): paid, to be made
    "card_ready": "待自取/待邮寄",  # shown as 待自取 or 待邮寄 by the chosen pickup
    "picked_up": "已自取",
    "mailed": "已邮寄",
    "rejected": "不予受理/审核不通过",
    "card_cancelled": "卡已注销",
    "completed": "已办结",  # a business with no card of its own (未制卡仅更换护照) once approved
}

def province_status_label(province, status: str) -> str:
    """A status as this province words it (its `labels` override the defaults above)."""
    return province.config.labels.get(status) or STATUS_LABELS.get(status, status)


# What a reviewer may ask the enterprise to change when returning an application (退回).
RETURN_SECTIONS = {
    "contact": "联系人信息", "declaration": "申报条件", "business": "业务信息（原因、交卡方式、发票、新护照信息）", "members": "申请人员信息", "pickup": "取卡方式",
    "report": "团组基本信息（申请事由、支付方式、发票）",
}

PAYMENT_METHOD_LABELS = {"online": "在线支付", "window": "窗口支付", "voucher": "缴费凭证", "remittance": "银行汇款"}
PAYMENT_STATUS_LABELS = {"pending": "待缴费", "submitted": "待确认", "confirmed": "已确认", "returned": "已退回"}
CARD_STATUS_LABELS = {"valid": "有效", "replaced": "已换卡", "lost": "已挂失", "cancelled": "已注销", "expired": "已过期"}
