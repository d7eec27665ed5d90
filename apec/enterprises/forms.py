import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Optional, Regexp, ValidationError

from ..validators import is_valid_id_number, is_valid_mobile, is_valid_passport_number
from ..web.forms import Radio, Select, check, max_length, mobile_digits, normalized, required, strip

PASSPORT_TYPES = [("普通", "普通护照")]
GENDERS = [("M", "男"), ("F", "女")]
pinyin_format = Regexp(r"^[A-Z ]*$", message="请用大写拼音字母填写，例如 ZHANG")


def upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def birth_date_from_id(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_from_id(id_number: str) -> str:
    return "M" if int(id_number[16]) % 2 else "F"


class PassportFields(FlaskForm):
    """护照信息: of a person (成员), or the new passport of a 未制卡仅更换护照."""

    passport_number = StringField(
        "护照号码", filters=[normalized],
        validators=[required("护照号码"), check(is_valid_passport_number, "护照号码格式不正确，应为 E 加 8 位数字等")],
    )
    passport_type = Select("护照类型", choices=PASSPORT_TYPES, default="普通")
    passport_issue_date = DateField("签发日期", validators=[required("护照签发日期")])
    passport_expiry_date = DateField("有效期至", validators=[required("护照有效期")])
    passport_authority = StringField("签发机关", filters=[strip], default="国家移民管理局", validators=[required("签发机关"), max_length(50)])
    passport_place = StringField("签发地点", filters=[strip], validators=[required("签发地点"), max_length(50)])

    def validate_passport_issue_date(self, field):
        if field.data and field.data > datetime.date.today():
            raise ValidationError("签发日期不能晚于今天")

    def validate_passport_expiry_date(self, field):
        if not field.data:
            return
        if self.passport_issue_date.data and field.data <= self.passport_issue_date.data:
            raise ValidationError("有效期至须晚于签发日期")
        elif field.data <= datetime.date.today():
            raise ValidationError("护照已过期，请使用有效护照")


class PersonForm(PassportFields):
    """成员: 基本信息 and 护照信息, as the Guangxi and Hunan guides ask for them."""

    name = StringField("姓名", filters=[strip], validators=[required("姓名"), max_length(50)])
    surname_pinyin = StringField("姓（拼音）", filters=[upper], validators=[Optional(), pinyin_format, max_length(50)])
    given_name_pinyin = StringField("名（拼音）", filters=[upper], validators=[Optional(), pinyin_format, max_length(50)])
    id_number = StringField(
        "身份证号", filters=[normalized],
        validators=[required("身份证号"), check(is_valid_id_number, "身份证号不正确，请核对 18 位号码")],
    )
    gender = Radio("性别", choices=GENDERS, validators=[Optional()])
    birth_date = DateField("出生日期", validators=[Optional()])
    mobile = StringField("手机号码", filters=[mobile_digits], validators=[required("手机号码"), check(is_valid_mobile, "请输入 11 位手机号码")])
    position = StringField("职务", filters=[strip], validators=[required("职务"), max_length(50)])

    def validate_birth_date(self, field):
        if field.data and self.id_number.data and is_valid_id_number(self.id_number.data):
            if field.data != birth_date_from_id(self.id_number.data):
                raise ValidationError("出生日期与身份证号不一致")

    def validate_gender(self, field):
        if field.data and self.id_number.data and is_valid_id_number(self.id_number.data):
            if field.data != gender_from_id(self.id_number.data):
                raise ValidationError("性别与身份证号不一致")

