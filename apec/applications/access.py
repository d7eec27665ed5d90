"""Who may see an application (and so its materials)."""

from ..accounts.models import ROLE_PROVINCE_ADMIN, ROLE_REVIEWER
from ..provinces.registry import get_province
from .models import Application


def can_view(user, application: Application) -> bool:
    """The enterprise's own users; staff of an office it has reached, and of the province office
    while it is at a 市外办 (oversight, read-only); its province's admin."""
    if user.is_enterprise_user:
        return user.enterprise_id == application.enterprise_id
    if application.status == "draft" or user.province != application.province:
        return False
    if user.role == ROLE_PROVINCE_ADMIN:
        return True
    if user.role == ROLE_REVIEWER:
        offices = {application.office_code} | {event.office_code for event in application.timeline}
        return user.office_code in offices or application.office_code in overseen_offices(user)
    return False


def overseen_offices(user) -> set[str]:
    """The 市外办 whose backlogs a reviewer of the province office looks at (各市待办); none for
    anyone else."""
    province = get_province(user.province)
    own = province.office(user.office_code or "")
    if own is None or own.stage != "province":
        return set()
    return {code for code, _ in province.city_offices()}
