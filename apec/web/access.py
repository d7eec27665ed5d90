"""Who may reach what. Anything a user may not see is a 404, never a 403."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..accounts.models import ROLE_ENTERPRISE_ADMIN, ROLE_PROVINCE_ADMIN, ROLE_REVIEWER
from ..extensions import db


def roles_required(*roles):
    """Signed-in users of these roles only; other signed-in users get 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


enterprise_required = roles_required(ROLE_ENTERPRISE_ADMIN, "handler")
enterprise_admin_required = roles_required(ROLE_ENTERPRISE_ADMIN)
staff_required = roles_required(ROLE_REVIEWER, ROLE_PROVINCE_ADMIN)
province_admin_required = roles_required(ROLE_PROVINCE_ADMIN)


def owned_or_404(model, object_id: int, options=(), **scope):
    """The object if it exists and matches `scope` (e.g. enterprise_id=…), else 404; `options`:
    what to load with it (e.g. Application.WHOLE_RECORD)."""
    instance = db.session.get(model, object_id, options=options) if 0 < object_id < 2**31 else None
    if instance is None or any(getattr(instance, key) != value for key, value in scope.items()):
        abort(404)
    return instance
