"""Form helpers shared by every domain: Chinese messages, normalising filters."""

from wtforms import RadioField, SelectField
from wtforms.validators import DataRequired, Length, ValidationError

from ..validators import canonical_mobile, normalize


class _ChineseChoice:
    """A value that is not one of the choices (a crafted request) is told in Chinese."""

    def pre_validate(self, form):
        if self.data in (None, "") or not getattr(self, "validate_choice", True) or not self.choices:
            return
        if self.data not in {str(value) for value, _ in self.choices}:
            raise ValidationError("请从列表中选择")


class Select(_ChineseChoice, SelectField):
    pass


class Radio(_ChineseChoice, RadioField):
    pass


def required(what: str):
    return DataRequired(message=f"请填写{what}")


def chosen(what: str):
    return DataRequired(message=f"请选择{what}")


def max_length(limit: int):
    return Length(max=limit, message=f"不能超过 {limit} 个字")


def mobile_digits(value):
    return canonical_mobile(value) if isinstance(value, str) else value


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalized(value):
    return normalize(value) if isinstance(value, str) else value


def check(predicate, message: str):
    """A WTForms validator from a bool function of the field's data."""

    def validator(form, field):
        if field.data and not predicate(field.data):
            raise ValidationError(message)

    return validator


def checked_field(form, name: str):
    """Validate the whole form (fields may depend on each other) and keep only `name`'s errors:
    what an inline check of the one field the user just left reports."""
    form.validate()
    for other in form:
        if other.name != name:
            other.errors = []
    return form[name]
