"""What each `workflow.payment_stage` of province.toml means: when the fee is asked, how it is
paid and what comes with the voucher. The one home of these rules: the workflow, the 上报 and
缴费 pages, the status bar and the admin overview read them (DESIGN.md section 2)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PaymentStage:
    summary: str         # how the admin overview words it; {fee} is the card fee per person
    step_label: str      # its step in the status bar
    method: str | None   # how every application pays; None: chosen at 上报 among workflow.payment_methods
    voucher_label: str = "缴费凭证"       # what the enterprise uploads when asked to pay
    invoice_with_voucher: bool = False   # 开票信息 must come with the voucher (else it may)
    voucher_at_submission: bool = False  # a material of the application: 审核通过 leads to 支付凭证确认
    # (so its 开票信息, which may be left out, is asked on 在线填表 with the application)


PAYMENT_STAGES = {
    # Hunan (seed 000): 待缴费 → 支付凭证确认 after the MFA stage has approved.
    "after_mfa": PaymentStage("领事司审核通过后缴费并上传支付凭证", "缴费", "voucher", voucher_label="支付凭证"),
    # Guangxi (seed 002): 在线支付 or 窗口支付, chosen with 领取方式 and 发票信息 at 上报.
    "chosen_at_report": PaymentStage("上报时选择在线支付或窗口支付，审核通过后缴费", "缴费", None,
                                     voucher_label="支付凭证"),
    # Hebei (seed 003): "对于已经批准的、需要缴费的业务 … 填写开票信息和上传缴费凭证图片".
    "voucher_after_approval": PaymentStage("审核通过后上传缴费凭证并填写开票信息", "缴费", "voucher",
                                           invoice_with_voucher=True),
    # Liaoning (seed 004): the 汇款单 of {fee} 元/人 is uploaded with the application.
    "remittance_at_submission": PaymentStage("提交时附 {fee} 元/人汇款单，审核通过后核对", "汇款单确认", "remittance",
                                             voucher_label="汇款单", voucher_at_submission=True),
}
