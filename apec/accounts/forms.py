from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, Optional, ValidationError

from ..enterprises.models import OWNERSHIP_LABELS
from ..validators import is_valid_mobile, is_valid_uscc
from ..web.forms import Select, check, chosen, max_length, mobile_digits, normalized, required, strip
from .passwords import PASSWORD_RULE, is_strong_enough
from .services import normalize_email

email_format = Email(message="请输入正确的邮箱地址，例如 name@company.com", check_deliverability=False)
strong_password = check(is_strong_enough, PASSWORD_RULE)
same_password = EqualTo("password", message="两次输入的密码不一致")
valid_mobile = check(is_valid_mobile, "请输入 11 位手机号码")
# No password needs more, and hashing a megabyte of one on each try costs the server.
password_length = max_length(128)


class LoginForm(FlaskForm):
    account_type = HiddenField(default="enterprise")
    email = EmailField("邮箱账号", filters=[normalize_email], validators=[required("邮箱账号"), max_length(254)])
    password = PasswordField("密码", validators=[required("密码"), password_length])


class RegistrationForm(FlaskForm):
    name = StringField("企业名称", filters=[strip], validators=[required("企业名称"), max_length(200)])
    uscc = StringField(
        "统一社会信用代码",
        filters=[normalized],
        validators=[required("统一社会信用代码"), check(is_valid_uscc, "统一社会信用代码不正确，请核对营业执照上的 18 位代码")],
    )
    legal_representative = StringField(
        "法人名称", filters=[strip], validators=[required("法人名称"), max_length(100)]
    )
    ownership = Select(
        "企业性质",
        choices=[("", "请选择")] + list(OWNERSHIP_LABELS.items()),
        validators=[chosen("企业性质")],
    )
    province = Select("所在省份", validators=[chosen("所在省份")])
    office = Select("所属外办", validators=[chosen("所属外办")], validate_choice=False)
    email = EmailField(
        "企业邮箱", filters=[normalize_email], validators=[required("企业邮箱"), email_format, max_length(254)]
    )
    password = PasswordField("密码", validators=[required("密码"), strong_password, password_length])
    confirm = PasswordField("确认密码", validators=[required("确认密码"), same_password, password_length])

    def __init__(self, provinces, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._provinces = provinces
        self.province.choices = [("", "请选择")] + [(code, p.name) for code, p in provinces.items()]
        if len(provinces) == 1 and not self.province.data:
            self.province.data = next(iter(provinces))

    def office_choices(self, narrow: bool = False):
        """Offices grouped by province; with `narrow`, only the chosen province's.

        Whole pages list every province's offices so the form works without
        JavaScript; HTMX narrows the list when the province changes.
        """
        province = self._provinces.get(self.province.data)
        if narrow and province is not None:
            return {province.name: [(code, o.name) for code, o in province.registration_offices()]}
        return {
            p.name: [(code, o.name) for code, o in p.registration_offices()]
            for p in self._provinces.values()
        }

    def validate_office(self, field):
        province = self._provinces.get(self.province.data)
        if province is None or not field.data:
            return
        office = province.office(field.data)
        if office is None or not office.accepts_registrations:
            raise ValidationError(f"请选择{province.name}的外办")


class HandlerForm(FlaskForm):
    name = StringField("经办人姓名", filters=[strip], validators=[required("经办人姓名"), max_length(100)])
    email = EmailField(
        "登录邮箱", filters=[normalize_email], validators=[required("登录邮箱"), email_format, max_length(254)]
    )
    mobile = StringField("手机号码", filters=[mobile_digits], validators=[required("手机号码"), valid_mobile])
    password = PasswordField("登录密码", validators=[required("登录密码"), strong_password, password_length])
    confirm = PasswordField("确认密码", validators=[required("确认密码"), same_password, password_length])


class HandlerEditForm(FlaskForm):
    name = StringField("经办人姓名", filters=[strip], validators=[required("经办人姓名"), max_length(100)])
    mobile = StringField("手机号码", filters=[mobile_digits], validators=[required("手机号码"), valid_mobile])
    password = PasswordField("新密码（不修改请留空）", validators=[Optional(), strong_password, password_length])
    confirm = PasswordField("确认新密码", validators=[same_password, password_length])


class ChangePasswordForm(FlaskForm):
    """修改密码: the current password, and the new one twice under the registration rule."""

    current_password = PasswordField("当前密码", validators=[required("当前密码"), password_length])
    password = PasswordField("新密码", validators=[required("新密码"), strong_password, password_length])
    confirm = PasswordField("确认新密码", validators=[required("确认新密码"), same_password, password_length])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("邮箱账号", filters=[normalize_email],
                       validators=[required("邮箱账号"), email_format, max_length(254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[required("新密码"), strong_password, password_length])
    confirm = PasswordField("确认新密码", validators=[required("确认新密码"), same_password, password_length])
