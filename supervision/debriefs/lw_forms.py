"""Forms a link worker fills in: asking for a debrief, withdrawing it, and answering a check-in."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice

from ..accounts.models import Organisation, User
from ..forms import max_length, one_of_the_offered, required
from . import labels
from .models import MAX_DESCRIPTION

ANY_SUPERVISOR = "any"


def _text(value):
    """Browsers send new lines as CRLF: count them as one character, as the box shows them."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


def _radios(label, choices, message, description=None) -> RadioField:
    # validate_choice=False: one_of_the_offered gives a crafted value our own clear message.
    return RadioField(label, widget=GovRadioInput(), description=description, choices=choices,
                      validate_choice=False, validators=[required(message), one_of_the_offered(message)])


class DebriefForm(FlaskForm):
    organisation = _radios(_l("Which organisation is this about?"), [],
                           _l("Select the organisation you were working for"))
    urgency = _radios(_l("How soon would you like to talk?"),
                      lambda: [SelectChoice(u.value, text) for u, text in labels.URGENCY.items()],
                      _l("Select how soon you would like to talk"))
    category = _radios(_l("What was it about?"),
                       lambda: [SelectChoice(c.value, text) for c, text in labels.CATEGORY.items()],
                       _l("Select what it was about"))
    description = TextAreaField(
        _l("What happened?"), widget=GovTextArea(), filters=[_text],
        description=_l("A few lines are enough: you can talk it through when you meet. Leave out anything "
                       "that could identify the client. You can enter up to %(max)s characters.",
                       max=f"{MAX_DESCRIPTION:,}"),
        validators=[required(_l("Describe briefly what happened")), max_length(MAX_DESCRIPTION)],
    )
    contact_way = _radios(_l("How would you like to talk?"),
                          lambda: [SelectChoice(w.value, text) for w, text in labels.CONTACT_WAY.items()],
                          _l("Select how you would like to talk"))
    supervisor = _radios(_l("Who would you like to talk to?"), [],
                         _l("Select any of your supervisors, or one supervisor by name"))
    # What the client-identifier warning showed (digests only), so "Send anyway" covers nothing unseen.
    identifiers_seen = HiddenField()
    submit = SubmitField(_l("Send the request"), widget=GovSubmitInput())

    def __init__(self, *args, organisations: list[Organisation], supervisors: list[tuple[User, str | None]],
                 **kwargs) -> None:
        """`supervisors`: each person once, with the names of their organisations when the link
        worker works for more than one (None otherwise)."""
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.id): o for o in organisations}
        self.organisation.choices = [SelectChoice(key, o.name) for key, o in self.organisations.items()]
        if len(organisations) == 1 and not self.organisation.data:
            # One organisation: the field is implicit, but a crafted other value is still refused.
            self.organisation.data = str(organisations[0].id)
        self.supervisors = {str(person.id): person for person, _ in supervisors}
        self.supervisor.choices = [SelectChoice(ANY_SUPERVISOR, _l("Any of my supervisors"))] + [
            SelectChoice(str(person.id), _l("%(name)s (%(organisation)s)", name=person.name, organisation=where)
                         if where else person.name)
            for person, where in supervisors
        ]
        if not self.is_submitted():  # preselected on the page; a POST must still say
            self.supervisor.data = ANY_SUPERVISOR

    def chosen_organisation(self) -> Organisation:
        return self.organisations[self.organisation.data]

    def chosen_supervisor(self) -> User | None:
        return self.supervisors.get(self.supervisor.data)


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Withdraw the request"), widget=GovSubmitInput())


class CheckInForm(FlaskForm):
    answer = _radios(_l("How are you now?"),
                     lambda: [SelectChoice(a.value, text) for a, text in labels.CHECK_IN_ANSWER.items()],
                     _l("Select how you are now"),
                     description=_l("Compared with when you asked for the debrief. Your answer goes to the "
                                    "supervisor who talked it through with you."))
    submit = SubmitField(_l("Send my answer"), widget=GovSubmitInput())
