"""The reflection form (new and edit share it), the first step's structure choice, the list's
filters, the delete confirmation, and a GOV.UK date field that never loses what was typed."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from govuk_frontend_wtf.gov_form_base import GovFormBase
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from ..forms import max_length
from .models import Status
from .structures import FEELINGS, MAX_ACTIONS, MAX_SECTION, MAX_TITLE, SECTIONS, STRUCTURE_LABELS, Structure

# The longest free-text search worth running; anything longer is cut, not refused.
MAX_SEARCH = 200
NO_FEELING = "none"


# --- small pieces -------------------------------------------------------------------------------

def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(value):
    """Browsers send new lines as CRLF: count and keep them as one character, as the box shows them."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def london_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def section_field_name(key: str) -> str:
    return f"section_{key}"


def parse_structure(value) -> Structure | None:
    try:
        return Structure(value)
    except ValueError:
        return None


def structure_choices() -> list[SelectChoice]:
    return [SelectChoice(s.value, STRUCTURE_LABELS[s]) for s in Structure]


# --- the GOV.UK date input ---------------------------------------------------------------------

PARTS = ("day", "month", "year")


class GovDatePartsInput(GovFormBase):
    """Three boxes named <name>-day, <name>-month and <name>-year, with translated labels.

    govuk-frontend-wtf's own date widget names all three boxes alike and labels them in English
    only; this one keeps each part apart, so a half-typed date comes back exactly as typed.
    """

    template = "govuk_frontend_wtf/date.html"

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.name)
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for unused in ("label", "name", "value"):
            params.pop(unused, None)
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
        widths = {"day": 2, "month": 2, "year": 4}
        params["items"] = [
            {
                "label": labels[part],
                "id": f"{field.name}-{part}",
                "name": f"{field.name}-{part}",
                "value": value,
                "classes": f"govuk-input--width-{widths[part]}"
                + (" govuk-input--error" if part in field.error_parts else ""),
            }
            for part, value in zip(PARTS, field.parts)
        ]
        return params


class GovDateField(Field):
    """A date typed as day, month and year. Empty means no date; anything else is checked and,
    when wrong, explained with GOV.UK's messages, keeping the three parts as typed."""

    widget = GovDatePartsInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.parts: tuple[str, str, str] = ("", "", "")
        self.error_parts: set[str] = set()
        self.id = f"{self.name}-day"  # where the error summary links to

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.error_parts = set()
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        self.raw_data = None
        self.parts = (str(data.day), str(data.month), str(data.year)) if isinstance(data, date) else ("", "", "")
        if formdata is None:
            return
        names = [f"{self.name}-{part}" for part in PARTS]
        if not any(name in formdata for name in names):
            return
        self.parts = tuple(_strip(formdata.get(name) or "") for name in names)  # type: ignore[assignment]
        self.raw_data = list(self.parts)
        try:
            self.data = self._parse()
        except ValueError as error:
            self.data = None
            self.process_errors.append(str(error.args[0]))

    def _parse(self) -> date | None:
        day, month, year = self.parts
        if not (day or month or year):
            return None
        label = self.label.text
        missing = [part for part, value in zip(PARTS, self.parts) if not value]
        if missing:
            self._point_at(missing)
            messages = {
                ("day",): _("%(label)s must include a day", label=label),
                ("month",): _("%(label)s must include a month", label=label),
                ("year",): _("%(label)s must include a year", label=label),
                ("day", "month"): _("%(label)s must include a day and month", label=label),
                ("day", "year"): _("%(label)s must include a day and year", label=label),
                ("month", "year"): _("%(label)s must include a month and year", label=label),
            }
            raise ValueError(messages[tuple(missing)])
        if not (day.isascii() and day.isdigit() and len(day) <= 2
                and month.isascii() and month.isdigit() and len(month) <= 2
                and year.isascii() and year.isdigit()):
            self._point_at(list(PARTS))
            raise ValueError(_("%(label)s must be a real date", label=label))
        if len(year) != 4:
            self._point_at(["year"])
            raise ValueError(_("Year must include 4 numbers"))
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            self._point_at(list(PARTS))
            raise ValueError(_("%(label)s must be a real date", label=label)) from None

    def _point_at(self, parts: list[str]) -> None:
        self.error_parts = set(parts)
        self.id = f"{self.name}-{parts[0]}"

    def _value(self) -> str:
        return " ".join(self.parts)


def not_in_the_future(message: str):
    def check(form, field) -> None:
        if field.data is not None and field.data > london_today():
            raise ValidationError(message)

    return check


# --- writing ------------------------------------------------------------------------------------

def feeling_choices() -> list[SelectChoice]:
    return [SelectChoice(str(n), label) for n, label in FEELINGS.items()] + [
        SelectChoice(NO_FEELING, _l("Prefer not to say"))
    ]


def _known_feeling(form, field) -> None:
    if field.data not in (None, "", NO_FEELING) and field.data not in {str(n) for n in FEELINGS}:
        raise ValidationError(_l("Choose how you feel now, or ‘Prefer not to say’"))


class StructureForm(FlaskForm):
    """The first step of a new reflection: which structure, so the next page shows its prompts."""

    structure = RadioField(
        _l("How do you want to structure your reflection?"),
        widget=GovRadioInput(),
        choices=structure_choices,
        validate_choice=False,
    )
    action = HiddenField(default="structure")
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def validate_structure(self, field) -> None:
        if parse_structure(field.data) is None:
            raise ValidationError(_l("Choose how to structure your reflection"))


class ReflectionForm(FlaskForm):
    """Every section of every structure is a field; the page shows, and the route keeps, only
    those of the structure on show (see only_sections_of)."""

    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        description=_l("Something short to help you find it again. Leave out names."),
        filters=[_strip],
        validators=[max_length(MAX_TITLE)],
    )
    practice_date = GovDateField(
        _l("Date of practice"),
        description=_l("The day it happened. For example, 27 3 2026"),
        validators=[not_in_the_future(_l("Date of practice must be today or in the past"))],
    )
    structure = RadioField(
        _l("Structure"),
        widget=GovRadioInput(),
        description=_l("To use another structure, choose it and select ‘Change structure’. Your text moves across."),
        choices=structure_choices,
        validate_choice=False,
    )
    # The structure whose sections the page showed, so a changed choice can move the text across.
    shown_structure = HiddenField()
    themes = SelectMultipleField(
        _l("Themes"),
        widget=GovCheckboxesInput(),
        description=_l("Select all that apply"),
        validate_choice=False,  # anything not on offer is ignored (themes.links_for)
    )
    feeling = RadioField(
        _l("How I feel now"),
        widget=GovRadioInput(),
        description=_l("Optional. Only you see this."),
        choices=feeling_choices,
        validate_choice=False,
        validators=[_known_feeling],
    )
    actions = TextAreaField(
        _l("What I’ll try next"),
        widget=GovTextArea(),
        description=_l("One action on each line. If you share this reflection with a supervisor, "
                       "these are brought to your next supervision with them."),
        filters=[_text],
        validators=[max_length(MAX_ACTIONS)],
    )
    # Which button was pressed before the client-identifier warning, for "Save anyway".
    intent = HiddenField()
    # What the warning showed (digests only), so "Save anyway" covers nothing the person did not see.
    identifiers_seen = HiddenField()

    def section_texts(self, structure: Structure) -> dict[str, str]:
        texts = {}
        for section in SECTIONS[structure]:
            value = self[section_field_name(section.key)].data
            texts[section.key] = value if isinstance(value, str) else ""
        return texts

    def set_sections(self, structure: Structure, texts: dict[str, str]) -> None:
        for section in SECTIONS[structure]:
            self[section_field_name(section.key)].data = texts.get(section.key, "")

    def only_sections_of(self, structure: Structure) -> None:
        """Drop the other structures' section fields: they are not on the page, so they are neither
        validated nor saved."""
        keep = {section_field_name(s.key) for s in SECTIONS[structure]}
        for sections in SECTIONS.values():
            for section in sections:
                name = section_field_name(section.key)
                if name not in keep and name in self:
                    del self[name]

    def feeling_value(self) -> int | None:
        return int(self.feeling.data) if self.feeling.data and self.feeling.data.isdigit() else None

    def check(self, intent: Status, structure: Structure) -> bool:
        """Validate for this button: a draft needs only something in it; a finished reflection
        needs a title, a date and some text."""
        valid = self.validate()
        texts = self.section_texts(structure)
        has_text = any(texts.values())
        if intent == Status.complete:
            if not self.title.data and not self.title.errors:
                self.title.errors.append(_("Enter a title"))
            if self.practice_date.data is None and not self.practice_date.errors:
                self.practice_date.errors.append(_("Enter the date of practice"))
            first = self[section_field_name(SECTIONS[structure][0].key)]
            if not has_text and not first.errors:
                first.errors.append(_("Write something in at least one section"))
        elif not (self.title.data or has_text or self.actions.data) and not self.title.errors:
            self.title.errors.append(_("An empty reflection cannot be saved. Add a title or write something first"))
        return valid and not self.errors


for _structure, _sections in SECTIONS.items():
    for _section in _sections:
        setattr(ReflectionForm, section_field_name(_section.key), TextAreaField(
            _section.label,
            widget=GovTextArea(),
            description=_section.hint,
            filters=[_text],
            validators=[max_length(MAX_SECTION)],
        ))


class DeleteForm(FlaskForm):
    submit = SubmitField(_l("Delete reflection"), widget=GovSubmitInput())


# --- the list's filters -------------------------------------------------------------------------

class FilterForm(FlaskForm):
    """Sent by GET, so the filters are in the address and pages of results can be linked."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search your reflections"),
        widget=GovTextInput(),
        description=_l("Words in the title or anywhere in the text"),
        filters=[_strip, lambda v: v[:MAX_SEARCH] if isinstance(v, str) else v],
    )
    theme = SelectField(_l("Theme"), widget=GovSelect(), validate_choice=False)
    structure = SelectField(
        _l("Structure"),
        widget=GovSelect(),
        validate_choice=False,
        choices=lambda: [SelectChoice("", _l("Any structure")), *structure_choices()],
    )
    status = SelectField(
        _l("Show"),
        widget=GovSelect(),
        validate_choice=False,
        choices=lambda: [
            SelectChoice("", _l("Drafts and finished reflections")),
            SelectChoice(Status.draft.value, _l("Drafts only")),
            SelectChoice(Status.complete.value, _l("Finished reflections only")),
        ],
    )
    date_from = GovDateField(_l("Date from"), description=_l("For example, 1 9 2026"))
    date_to = GovDateField(_l("Date to"), description=_l("For example, 30 9 2026"))

    def validate_theme(self, field) -> None:
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Choose a theme from the list"))

    def validate_structure(self, field) -> None:
        if field.data and parse_structure(field.data) is None:
            raise ValidationError(_l("Choose a structure from the list"))

    def validate_status(self, field) -> None:
        if field.data and field.data not in {s.value for s in Status}:
            raise ValidationError(_l("Choose what to show from the list"))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Date to must be the same as or after date from"))

    def valid_or_none(self, name: str):
        """A filter's value, or None when it is empty or wrong (its error is shown instead)."""
        field = self[name]
        return None if field.errors or field.data in ("", None) else field.data
