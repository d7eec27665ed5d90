"""Form helpers shared by every domain: Chinese messages, normalising filters."""

from wtforms.validators import DataRequired, Length, ValidationError

from ..validators import normalize


def required(what: str):
    return DataRequired(message=f"请填写{what}")


def chosen(what: str):
    return DataRequired(message=f"请选择{what}")


def max_length(limit: int):
    return Length(max=limit, message=f"不能超过 {limit} 个字")


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
