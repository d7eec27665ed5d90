"""Imports every model so Alembic and `db.create_all` see the whole schema."""

from .accounts.models import User  # noqa: F401
from .applications.models import (  # noqa: F401
    Application,
    ApplicationMember,
    Card,
    EconomyDecision,
    NumberCounter,
    Payment,
    TimelineEvent,
)
from .audit import AuditLog  # noqa: F401
from .enterprises.models import AddressBookEntry, Enterprise, InvoiceBookEntry, Person  # noqa: F401
from .materials.models import Material  # noqa: F401
from .notifications.models import MailOutbox, Message, SmsOutbox  # noqa: F401
