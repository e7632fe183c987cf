"""What each value is called on pages, in emails and in exports, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Alternative, Category, CheckInAnswer, ContactWay, HeldBy, Outcome, RequestStatus, Urgency

URGENCY = {
    Urgency.today: _l("Today"),
    Urgency.three_days: _l("Within 3 days"),
    Urgency.this_week: _l("This week"),
}
URGENCY_HINTS = {
    Urgency.today: _l("A short debrief of about 15 minutes, the same working day."),
    Urgency.three_days: _l("A supervisor will reply within 72 hours."),
    Urgency.this_week: _l("A longer conversation within 7 days, once things have settled."),
}
CATEGORY = {
    Category.client_death: _l("The death of a client"),
    Category.safeguarding: _l("Safeguarding"),
    Category.aggression: _l("Aggression or a threat"),
    Category.disclosure: _l("A distressing disclosure"),
    Category.suicide_concern: _l("A concern about suicide"),
    Category.other: _l("Something else"),
}
CONTACT_WAY = {
    ContactWay.phone: _l("By phone"),
    ContactWay.video: _l("By video call"),
    ContactWay.in_person: _l("In person"),
}
STATUS = {
    RequestStatus.open: _l("Waiting for a supervisor"),
    RequestStatus.accepted: _l("Accepted"),
    RequestStatus.completed: _l("Debrief held"),
    RequestStatus.declined: _l("Declined"),
    RequestStatus.withdrawn: _l("Withdrawn"),
}
# GOV.UK tag colours for each status.
STATUS_COLOUR = {
    RequestStatus.open: "govuk-tag--yellow",
    RequestStatus.accepted: "govuk-tag--blue",
    RequestStatus.completed: "govuk-tag--green",
    RequestStatus.declined: "govuk-tag--grey",
    RequestStatus.withdrawn: "govuk-tag--grey",
}
HELD_BY = {
    HeldBy.session: _l("In a session booked in Cwtch"),
    HeldBy.phone: _l("By phone"),
}
OUTCOME = {
    Outcome.supported: _l("Supported"),
    Outcome.signposted: _l("Signposted to other support"),
    Outcome.occupational_health: _l("Referred to occupational health"),
    Outcome.eap: _l("Referred to the employee assistance programme"),
    Outcome.follow_up_booked: _l("Follow-up booked"),
}
ALTERNATIVE = {
    Alternative.eap: _l("The employee assistance programme"),
    Alternative.occupational_health: _l("Occupational health"),
    Alternative.another_supervisor: _l("Another supervisor"),
    Alternative.other: _l("Other support, as explained in the reason"),
}
CHECK_IN_ANSWER = {
    CheckInAnswer.better: _l("Better"),
    CheckInAnswer.same: _l("About the same"),
    CheckInAnswer.worse: _l("Worse"),
}
