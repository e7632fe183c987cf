"""Every model, imported in one place so that the metadata is complete for Alembic."""
from .accounts.models import (  # noqa: F401
    Invitation,
    InvitationRole,
    LoginAttempt,
    Membership,
    Organisation,
    Role,
    SupervisorAssignment,
    User,
)
from .audit.models import AuditEvent  # noqa: F401
from .mfa.models import RecoveryCode, TotpCredential  # noqa: F401
from .notifications.models import EmailAttachment, Notification, OutboundEmail  # noqa: F401
from .scheduler.models import SchedulerLease  # noqa: F401
from .reflections.models import (  # noqa: F401
    Reflection,
    ReflectionShare,
    ReflectionTheme,
    ShareComment,
    ShareView,
    Theme,
)
from .booking.models import (  # noqa: F401
    AvailabilityBlock,
    AvailabilityWindow,
    Booking,
    BookingEvent,
    CalendarFeed,
    SessionRecord,
    SessionType,
    SupervisionSession,
    SupervisorSettings,
)
from .support.models import Helpline  # noqa: F401
from .debriefs.models import DebriefCheckIn, DebriefEvent, DebriefRequest  # noqa: F401
from .pulse.models import (  # noqa: F401
    PulseAnswer,
    PulseInvitation,
    PulseResponse,
    PulseRound,
    SurveyLeave,
    TrendShare,
    TrendShareView,
)
from .reports.models import QuarterlyReport  # noqa: F401
