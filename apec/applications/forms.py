"""Forms of the application steps (在线填表, 取卡方式, 上报 …)."""

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..enterprises.forms import PassportFields
from ..enterprises.models import TAX_GRADES, TRADE_KIND_LABELS
from ..statuses import PAYMENT_METHOD_LABELS
from ..validators import TAX_NUMBER_RULE, is_valid_mobile, is_valid_tax_number
from ..web.forms import Radio, Select, check, chosen, max_length, mobile_digits, normalized, required, strip
from .businesses import HANDOVER_LABELS, NEW_PASSPORT_KEYS, OTHER, needs_acknowledgement
from .eligibility import employees_refusal, social_insurance_refusal, tax_refusal

TRADE_KINDS = list(TRADE_KIND_LABELS.items())
TAX_PROOFS = [("grade", "纳税评价等级证明"), ("paid", "上一年度“完成依法纳税”证明")]
PICKUP_LABELS = {"self": "自取", "mail": "邮寄"}
PHONE_RE = re.compile(r"^[0-9][0-9-]{6,19}$")


def is_phone(value: str) -> bool:
    """A mobile, or a landline such as 024-86892606."""
    return is_valid_mobile(value) or bool(PHONE_RE.fullmatch(value))


class NoticeForm(FlaskForm):
    acknowledged = BooleanField()

    def validate_acknowledged(self, field):
        if not field.data:
            raise ValidationError("请阅读后勾选")


class InvoiceFields(FlaskForm):
    """发票信息: one already added (发票信息 book), or typed in."""

    saved_invoice = Select("选择已添加的发票信息", validators=[Optional()])
    invoice_title = StringField("发票抬头", filters=[strip], validators=[Optional(), max_length(100)])
    invoice_tax_number = StringField("纳税人识别号", filters=[normalized],
                                     validators=[Optional(), check(is_valid_tax_number, TAX_NUMBER_RULE)])

    def offer_invoices(self, invoices, blank: str) -> None:
        self._invoices = {str(entry.id): entry for entry in invoices}
        self.saved_invoice.choices = [("", blank)] + [
            (key, f"{entry.title}（{entry.tax_number}）") for key, entry in self._invoices.items()
        ]

    def check_invoice(self, required: bool) -> bool:
        """Both parts typed, or one chosen (or, where not required, none at all)."""
        if self.saved_invoice.data in self._invoices:
            return True
        if required and not (self.invoice_title.data and self.invoice_tax_number.data):
            self.invoice_title.errors.append("请选择或填写开票信息（发票抬头和纳税人识别号）")
            return False
        if bool(self.invoice_title.data) != bool(self.invoice_tax_number.data):
            self.invoice_title.errors.append("发票抬头和纳税人识别号须一起填写")
            return False
        return True

    def invoice_data(self) -> dict | None:
        saved = self._invoices.get(self.saved_invoice.data or "")
        if saved is not None:
            return {"title": saved.title, "tax_number": saved.tax_number}
        if not self.invoice_title.data:
            return None
        return {"title": self.invoice_title.data, "tax_number": self.invoice_tax_number.data}


class ContactForm(InvoiceFields):
    """在线填表: the applicant (per-applicant provinces), the contact and, where the 汇款单 goes with
    the application (Liaoning), its 开票信息."""

    applicant = Select("申请人")
    contact_name = StringField("联系人姓名", filters=[strip], validators=[required("联系人姓名"), max_length(50)])
    contact_phone = StringField(
        "联系人电话", filters=[normalized],
        validators=[required("联系人电话"), check(is_phone, "请填写手机号码或带区号的固定电话")],
    )

    def __init__(self, *args, persons=(), needs_applicant=False, invoices=None, **kwargs):
        """`invoices`: the 发票信息 book, where the form asks 开票信息; None: it does not."""
        super().__init__(*args, **kwargs)
        self.applicant.choices = [("", "请选择成员")] + [(str(p.id), p.name) for p in persons]
        self.needs_applicant = needs_applicant
        self.applicant.flags.required = needs_applicant
        if invoices is None:
            del self.saved_invoice, self.invoice_title, self.invoice_tax_number
        else:
            self.offer_invoices(invoices, "填写新的开票信息")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if "invoice_title" in self:
            valid = self.check_invoice(required=False) and valid
        return valid

    def validate_applicant(self, field):
        if self.needs_applicant and not field.data:
            raise ValidationError("请选择申请人；如尚未录入，请先添加成员")


class DeclarationForm(ContactForm):
    """在线填表 with 申报条件 (Hebei, Liaoning): what the qualification standards look at, each
    checked against the province's standard as it is typed (and again at submission)."""

    # InputRequired, not DataRequired: 0 is typed in (and then too few), not missing.
    employees = IntegerField("员工人数", validators=[InputRequired(message="请填写员工人数")])
    tax_proof = Radio("纳税情况证明", choices=TAX_PROOFS, validators=[chosen("纳税情况证明")])
    tax_grade = Select("纳税信用等级", choices=[("", "请选择")] + [(g, f"{g} 级") for g in TAX_GRADES])
    trade_kind = Radio("企业类型", choices=TRADE_KINDS, validators=[chosen("企业类型")])
    trade_note = TextAreaField(
        "与APEC经济体贸易往来情况", filters=[strip],
        validators=[required("与APEC经济体贸易往来情况"), max_length(1000)],
    )
    social_insurance_months = IntegerField("申请人社保缴纳月数", validators=[InputRequired(message="请填写社保缴纳月数")])
    social_insurance_matches = BooleanField("社保单上的姓名和工作单位与申请人、申请单位一致")
    not_prohibited = BooleanField()

    def __init__(self, *args, rules=None, prohibited=(), prohibited_title="", **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        if rules is None or not rules.tax_paid_alternative:
            del self.tax_proof
        if rules is None or not rules.min_social_insurance_months:
            del self.social_insurance_months
            del self.social_insurance_matches
        self.prohibited = tuple(prohibited)
        if self.prohibited:
            self.not_prohibited.label.text = f"本企业及申请人不属于{prohibited_title}所列任何一种情形"
        else:
            del self.not_prohibited
        self.tax_grade.flags.required = self.grade_needed()

    def grade_needed(self) -> bool:
        return "tax_proof" not in self or self.tax_proof.data != "paid"

    def validate_employees(self, field):
        if field.data is None:
            return
        if not 1 <= field.data <= 10_000_000:
            raise ValidationError(f"员工人数应为 1 至 10000000 之间的整数（当前填写 {field.data}）")
        if self.rules is not None and (refusal := employees_refusal(self.rules, field.data)):
            raise ValidationError(refusal)

    def validate_tax_grade(self, field):
        if not self.grade_needed():
            return
        if not field.data:
            raise ValidationError("请选择纳税信用等级")
        if self.rules is not None and (refusal := tax_refusal(self.rules, field.data, None)):
            raise ValidationError(refusal)

    def validate_social_insurance_months(self, field):
        if field.data is not None and not 0 <= field.data <= 600:
            raise ValidationError(f"社保缴纳月数应为 0 至 600 之间的整数（当前填写 {field.data}）")
        if field.data is not None and (refusal := social_insurance_refusal(self.rules, field.data)):
            raise ValidationError(refusal)

    def validate_social_insurance_matches(self, field):
        if not field.data:
            raise ValidationError("社保单上的姓名和工作单位须与申请人、申请单位一致，请核对后勾选")

    def validate_not_prohibited(self, field):
        if not field.data:
            raise ValidationError("请阅读禁办情形后勾选确认；属于所列情形的，不能申办")

    def declaration(self) -> dict:
        """What is stored: the standards' inputs, and the tick with the list it was given for."""
        names = ("employees", "tax_proof", "tax_grade", "trade_kind", "trade_note", "social_insurance_months",
                 "social_insurance_matches")
        declared = {name: self[name].data for name in names if name in self}
        if not self.grade_needed():
            declared["tax_grade"] = None
        return declared


class PickupForm(FlaskForm):
    """取卡方式: 自取 at the office (or a pickup point), or 邮寄 to an address."""

    method = Radio("取卡方式", validators=[chosen("取卡方式")])
    point = Select("自取地点", validators=[Optional()])
    saved_address = Select("选择已保存的地址", validators=[Optional()])
    recipient = StringField("收件人", filters=[strip], validators=[Optional(), max_length(50)])
    phone = StringField("收件人电话", filters=[mobile_digits], validators=[Optional(), check(is_valid_mobile, "请输入 11 位手机号码")])
    address = StringField("邮寄地址", filters=[strip], validators=[Optional(), max_length(200)])
    postcode = StringField("邮政编码", filters=[strip], validators=[Optional(), check(lambda v: bool(re.fullmatch(r"[0-9]{6}", v)), "邮政编码为 6 位数字")])

    def __init__(self, *args, methods=("self", "mail"), points=(), addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [(m, PICKUP_LABELS[m]) for m in methods]
        self.point.choices = [(str(i), p["name"]) for i, p in enumerate(points)]
        self._points = list(points)
        self._addresses = {str(entry.id): entry for entry in addresses}
        self.saved_address.choices = [("", "填写新地址")] + [
            (key, f"{entry.recipient}，{entry.address}") for key, entry in self._addresses.items()
        ]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.method.data == "mail" and not self.saved_address.data:
            for field, what in ((self.recipient, "收件人"), (self.phone, "收件人电话"), (self.address, "邮寄地址")):
                if not field.data:
                    field.errors.append(f"选择邮寄时请填写{what}")
                    valid = False
        return valid

    def chosen_point(self) -> dict | None:
        if self.method.data != "self" or not self._points:
            return None
        index = int(self.point.data) if (self.point.data or "").isdigit() else 0
        return self._points[index] if index < len(self._points) else self._points[0]

    def address_data(self) -> dict | None:
        if self.method.data != "mail":
            return None
        saved = self._addresses.get(self.saved_address.data or "")
        if saved is not None:
            return {"recipient": saved.recipient, "phone": saved.phone, "address": saved.address,
                    "postcode": saved.postcode}
        return {"recipient": self.recipient.data, "phone": self.phone.data,
                "address": self.address.data, "postcode": self.postcode.data or ""}


class ReportForm(InvoiceFields, PickupForm):
    """Guangxi 上报: 领取方式, 支付方式, 发票信息, 团组基本信息."""

    payment_method = Radio("支付方式", validators=[chosen("支付方式")])
    purpose = TextAreaField("申请事由", filters=[strip], validators=[required("申请事由"), max_length(1000)])
    contact_name = StringField("联系人姓名", filters=[strip], validators=[required("联系人姓名"), max_length(50)])
    contact_phone = StringField(
        "联系人电话", filters=[normalized],
        validators=[required("联系人电话"), check(is_phone, "请填写手机号码或带区号的固定电话")],
    )

    def __init__(self, *args, payment_methods=(), invoices=(), **kwargs):
        """`payment_methods`: the 支付方式 to choose from; none where the payment stage fixes it."""
        super().__init__(*args, **kwargs)
        if payment_methods:
            self.payment_method.choices = [(m, PAYMENT_METHOD_LABELS[m]) for m in payment_methods]
        else:
            del self.payment_method
        self.offer_invoices(invoices, "不选择（可在下方填写）")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.check_invoice(required=False) and valid


class AddMemberForm(FlaskForm):
    person = Select("选择成员", validators=[chosen("成员")])

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person.choices = [("", "请选择成员")] + [(str(p.id), p.name) for p in persons]


class CustomMaterialForm(FlaskForm):
    title = StringField("附件名称", filters=[strip], validators=[required("附件名称"), max_length(50)])


class PaymentForm(InvoiceFields):
    """缴费凭证 and 开票信息 (required where the payment stage asks it with the voucher)."""

    voucher = StringField("缴费凭证")  # the file itself comes in request.files

    def __init__(self, *args, invoices=(), invoice_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice_required = invoice_required
        self.offer_invoices(invoices, "填写新的开票信息")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.check_invoice(required=self.invoice_required) and valid


class BusinessForm(InvoiceFields, PassportFields):
    """在线填表 of a related business: what its business asks (businesses.BUSINESSES), the rest
    of the fields removed. 企业信息 and the applicants are shown, not asked."""

    reason = Radio("原因", validators=[chosen("原因")])
    reason_other = TextAreaField("具体原因", filters=[strip], validators=[max_length(500)])
    contact_name = StringField("联系人姓名", filters=[strip], validators=[required("联系人姓名"), max_length(50)])
    contact_phone = StringField(
        "联系人电话", filters=[normalized],
        validators=[required("联系人电话"), check(is_phone, "请填写手机号码或带区号的固定电话")],
    )
    handover_method = Radio("交卡方式", choices=list(HANDOVER_LABELS.items()), validators=[chosen("交卡方式")])
    payment_method = Radio("支付方式", validators=[chosen("支付方式")])
    acknowledged = BooleanField()

    def __init__(self, *args, business, invoices=(), payment_methods=(), **kwargs):
        """`payment_methods`: the 支付方式 to choose from (Guangxi asks it of a card it makes)."""
        super().__init__(*args, **kwargs)
        self.business = business
        if payment_methods:
            self.payment_method.choices = [(m, PAYMENT_METHOD_LABELS[m]) for m in payment_methods]
        else:
            del self.payment_method
        if business.reasons:
            self.reason.label.text = business.reason_title
            self.reason.validators = [chosen(business.reason_title)]
            self.reason.choices = list(business.reasons)
        else:
            del self.reason, self.reason_other
        if not business.asks_handover:
            del self.handover_method
        if business.asks_invoice:
            self.offer_invoices(invoices, "填写新的发票信息")
        else:
            del self.saved_invoice, self.invoice_title, self.invoice_tax_number
        if business.acknowledgement:
            self.acknowledged.label.text = business.acknowledgement
        else:
            del self.acknowledged
        if not business.asks_new_passport:
            for name in [name for name in self._fields if name.startswith("passport_")]:
                delattr(self, name)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        reason = self.reason.data if "reason" in self else None
        if reason == OTHER and not self.reason_other.data:
            self.reason_other.errors.append("选择“其他”原因时请填写具体原因")
            valid = False
        if "acknowledged" in self and needs_acknowledgement(self.business, reason) and not self.acknowledged.data:
            self.acknowledged.errors.append("请阅读后勾选")
            valid = False
        if "invoice_title" in self:
            valid = self.check_invoice(required=True) and valid
        return valid

    def new_passport(self) -> dict | None:
        if not self.business.asks_new_passport:
            return None
        return {key: self[f"passport_{key}"].data for key in NEW_PASSPORT_KEYS}


class CombinedRelatedForm(FlaskForm):
    """Hebei's 制卡、换卡: the kind of business and the 申报 it is for."""

    kind = Radio("业务类型", validators=[chosen("业务类型")])
    parent = Select("原申报", validators=[chosen("原申报")])

    def __init__(self, *args, kinds=(), parents=(), **kwargs):
        """`parents`: (application, its status as worded) to choose from."""
        super().__init__(*args, **kwargs)
        self.kind.choices = list(kinds)
        self.parent.choices = [("", "请选择")] + [
            (str(parent.id), f"{parent.number}（{'、'.join(member.shown.name for member in parent.members)}，{status}）")
            for parent, status in parents]

    def chosen_kind(self) -> tuple[str, str | None]:
        business_type, _, reason = self.kind.data.partition(":")
        return business_type, reason or None
