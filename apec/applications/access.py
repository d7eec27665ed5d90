"""Who may see an application (and so its materials)."""

from ..accounts.models import ROLE_PROVINCE_ADMIN, ROLE_REVIEWER
from .models import Application


def can_view(user, application: Application) -> bool:
    """The enterprise's own users; staff of an office it has reached; its province's admin."""
    if user.is_enterprise_user:
        return user.enterprise_id == application.enterprise_id
    if application.status == "draft" or user.province != application.province:
        return False
    if user.role == ROLE_PROVINCE_ADMIN:
        return True
    if user.role == ROLE_REVIEWER:
        offices = {application.office_code} | {event.office_code for event in application.timeline}
        return user.office_code in offices
    return False
