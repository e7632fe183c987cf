"""The answering form, built from an instrument: one optional set of radios per item, in the
instrument's order, the monthly comment, and the two buttons (save a draft, or submit)."""
from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import Optional

from ..forms import max_length, one_of_the_offered
from .instruments import INSTRUMENTS, Instrument, options_for
from .models import MAX_COMMENT


def _text(value):
    """Browsers send new lines as CRLF: count them as one character, as the box shows them."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


class AnswersForm(FlaskForm):
    """The fields common to every instrument; answers_form() adds the items."""
    # "Submit" comes first in the page, so pressing Enter in the form submits rather than saves.
    submit = SubmitField(_l("Submit answers"), widget=GovSubmitInput())
    save = SubmitField(_l("Save and come back later"), widget=GovSubmitInput())

    instrument: Instrument

    def item_fields(self):
        return [(item, self[item.id]) for item in self.instrument.items]

    def answers(self) -> dict[str, int | None]:
        """What was chosen, as the stored values; an item left blank is None."""
        return {item.id: (int(field.data) if field.data else None) for item, field in self.item_fields()}

    @property
    def submitting(self) -> bool:
        # Only the "Submit answers" button submits; anything else (the save button) keeps a draft.
        return bool(self.submit.data) and not self.save.data

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.submitting and not any(v is not None for v in self.answers().values()):
            # A draft may be empty; a submission may not. The summary links to the first question.
            self.item_fields()[0][1].errors.append(_l("Answer at least one question before you submit"))
            return False
        return True


def _item_field(instrument: Instrument, position: int) -> RadioField:
    item = instrument.items[position]
    message = _l("Select one of the answers shown for question %(number)d", number=position + 1)
    # validate_choice=False: one_of_the_offered gives a crafted value our own clear message.
    return RadioField(item.text, widget=GovRadioInput(), validate_choice=False,
                      choices=[SelectChoice(str(option.value), option.label) for option in options_for(item)],
                      validators=[Optional(), one_of_the_offered(message)])


@cache
def _form_class(key: str) -> type[AnswersForm]:
    instrument = INSTRUMENTS[key]
    fields: dict[str, object] = {"instrument": instrument}
    for position, item in enumerate(instrument.items):
        fields[item.id] = _item_field(instrument, position)
    if instrument.has_comment:
        fields["comment"] = TextAreaField(
            _l("Anything you want to note for yourself (optional)"), widget=GovTextArea(), filters=[_text],
            description=_l("Only you will ever see this: not your supervisor, not your employer, and it is "
                           "never in a report. You can enter up to %(max)s characters.", max=f"{MAX_COMMENT:,}"),
            validators=[Optional(), max_length(MAX_COMMENT)])
    return type(f"{key.title()}AnswersForm", (AnswersForm,), fields)


def answers_form(instrument: Instrument, **kwargs) -> AnswersForm:
    """A form for this instrument. Pass `data=` to show a saved draft on a GET."""
    return _form_class(instrument.key)(**kwargs)
