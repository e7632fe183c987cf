"""The author's own reflection pages: the list with filters and search, writing (new and edit share
one form), viewing and deleting. Anyone but the author gets 404 for a reflection."""
from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields import SelectChoice

from ..accounts.models import Role, User
from ..db import utcnow
from ..extensions import db
from ..support.services import helpline_numbers
from ..identifiers import Finding, confirmed, digests, find_identifiers
from ..permissions import role_required
from . import services
from .blueprint import bp
from .forms import (
    DeleteForm,
    FilterForm,
    ReflectionForm,
    StructureForm,
    parse_structure,
    section_field_name,
)
from .loaders import reflection_for_author_or_404
from .models import Reflection, Status
from .permissions import can_write_reflections
from .structures import FEELINGS, SECTIONS, STRUCTURE_HINTS, STRUCTURE_LABELS, Structure
from .themes import choices_for, label_of

# The query-string names the list's filters use, kept in the links between pages of results.
FILTER_ARGS = ("q", "theme", "structure", "status", *(f"{name}-{part}" for name in ("date_from", "date_to")
                                                      for part in ("day", "month", "year")))


def _me() -> User:
    return current_user._get_current_object()


def _own_reflection(view):
    """Signed in, a link worker, and the author: anyone else is told the reflection does not exist."""

    @wraps(view)
    @login_required
    def wrapped(reflection_id: int):
        me = _me()
        if not can_write_reflections(me):
            abort(404)
        return view(reflection_for_author_or_404(me, reflection_id))

    return wrapped


def _page_context() -> dict:
    return {"STRUCTURE_LABELS": STRUCTURE_LABELS, "FEELINGS": FEELINGS, "Status": Status,
            "theme_labels": lambda reflection: ", ".join(label_of(link) for link in reflection.themes)}


# --- the list -------------------------------------------------------------------------------------

@bp.get("/")
@role_required(Role.link_worker)
def index():
    me = _me()
    form = FilterForm(formdata=request.args)
    form.theme.choices = [SelectChoice("", _("Any theme"))] + [
        SelectChoice(choice.value, choice.label)
        for choice in choices_for(me, include_archived_ids=services.theme_ids_used(me))
    ]
    form.validate()
    filters = services.ReflectionFilters(
        q=form.q.data or "",
        theme=form.valid_or_none("theme"),
        structure=parse_structure(form.valid_or_none("structure")),
        status=Status(form.valid_or_none("status")) if form.valid_or_none("status") else None,
        date_from=form.valid_or_none("date_from"),
        date_to=form.valid_or_none("date_to"),
    )
    result = services.list_reflections(me, filters, request.args.get("page", 1, type=int))
    return render_template("reflections/index.html", form=form, filters=filters, result=result,
                           pagination=_pagination(result), **_page_context())


def _pagination(result: services.ReflectionPage) -> dict | None:
    if result.pages <= 1:
        return None
    kept = {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}

    def href(number: int) -> str:
        return url_for("reflections.index", **kept, page=number)

    shown = sorted({1, result.pages, result.page - 1, result.page, result.page + 1} & set(range(1, result.pages + 1)))
    items, previous = [], 0
    for number in shown:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == result.page,
                      "visuallyHiddenText": _("Page %(number)s", number=number)})
        previous = number
    params: dict = {"items": items, "landmarkLabel": _("Pages of reflections")}
    if result.page > 1:
        params["previous"] = {"href": href(result.page - 1), "text": _("Previous"),
                              "attributes": {"aria-label": _("Previous page")}}
    if result.page < result.pages:
        params["next"] = {"href": href(result.page + 1), "text": _("Next"),
                          "attributes": {"aria-label": _("Next page")}}
    return params


# --- writing --------------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.link_worker)
def new():
    if request.method == "POST" and "shown_structure" not in request.form:
        # The first step: the structure, so that the form can show its prompts.
        form = StructureForm()
        if form.validate_on_submit():
            return redirect(url_for("reflections.new", structure=form.structure.data))
        return render_template("reflections/choose_structure.html", form=form, structure_items=_structure_items())
    structure = parse_structure(request.args.get("structure"))
    if request.method == "GET" and structure is None:
        return render_template("reflections/choose_structure.html", form=StructureForm(),
                               structure_items=_structure_items())
    return _write(_me(), None, structure or Structure.free)


@bp.route("/<int:reflection_id>/edit", methods=["GET", "POST"])
@_own_reflection
def edit(reflection: Reflection):
    return _write(_me(), reflection, reflection.structure)


def _structure_items() -> list[dict]:
    """Each structure's radio gets its hint (in the order of structure_choices)."""
    return [{"hint": {"text": STRUCTURE_HINTS[s]}} for s in Structure]


def _form_data(reflection: Reflection | None, structure: Structure) -> dict:
    if reflection is None:
        return {"structure": structure.value, "shown_structure": structure.value}
    data = {
        "title": reflection.title,
        "practice_date": reflection.practice_date,
        "structure": structure.value,
        "shown_structure": structure.value,
        "themes": [link.choice for link in reflection.themes],
        "feeling": str(reflection.feeling) if reflection.feeling else None,
        "actions": reflection.actions,
    }
    data.update({section_field_name(key): text for key, text in (reflection.sections or {}).items()})
    return data


def _write(me: User, reflection: Reflection | None, structure: Structure):
    """The writing form, GET and POST, for a new reflection or the author's own."""
    form = ReflectionForm() if request.method == "POST" else ReflectionForm(data=_form_data(reflection, structure))
    form.themes.choices = [SelectChoice(c.value, c.label) for c in services.theme_choices(me, reflection)]
    if request.method == "GET":
        return _render_form(form, reflection, structure)

    shown = parse_structure(form.shown_structure.data) or structure
    chosen = parse_structure(form.structure.data) or shown
    action = request.form.get("action") or form.intent.data
    if chosen != shown or action not in (Status.draft.value, Status.complete.value):
        # "Change structure" (or a new choice with a save button): show the new prompts with the
        # text moved into them, and save nothing until the author has seen where it went.
        form.set_sections(chosen, services.move_sections(form.section_texts(shown), shown, chosen))
        return _render_form(form, reflection, chosen, moved=chosen != shown)

    intent = Status(action)
    form.only_sections_of(shown)
    if not form.check(intent, shown):
        return _render_form(form, reflection, shown)
    data = services.ReflectionData(
        status=intent, structure=shown, title=form.title.data, practice_date=form.practice_date.data,
        sections=form.section_texts(shown), themes=list(form.themes.data or []),
        feeling=form.feeling_value(), actions=form.actions.data,
    )
    findings = find_identifiers(*data.texts(), helplines=helpline_numbers())
    if findings and not confirmed(findings, request.form):
        form.intent.data = intent.value
        form.identifiers_seen.data = ",".join(digests(findings))
        return _render_form(form, reflection, shown, findings=findings)

    if reflection is None:
        reflection = services.create_reflection(me, data)
    else:
        reflection = services.update_reflection(reflection, data)
    db.session.commit()
    if intent == Status.draft:
        flash(_("Your draft has been saved. Only you can see it."), "success")
        return redirect(url_for("reflections.edit", reflection_id=reflection.id))
    flash(_("Your reflection has been saved. Only you can see it unless you share it."), "success")
    return redirect(url_for("reflections.view", reflection_id=reflection.id))


def _render_form(form: ReflectionForm, reflection: Reflection | None, structure: Structure, *,
                 findings: list[Finding] | None = None, moved: bool = False):
    form.structure.data = structure.value
    form.shown_structure.data = structure.value
    action = (url_for("reflections.new") if reflection is None
              else url_for("reflections.edit", reflection_id=reflection.id))
    return render_template(
        "reflections/form.html", form=form, reflection=reflection, structure=structure,
        sections=SECTIONS[structure], findings=findings or [], moved=moved, action=action,
        structure_items=_structure_items(), **_page_context(),
    )


# --- reading and deleting ------------------------------------------------------------------------

@bp.get("/<int:reflection_id>")
@_own_reflection
def view(reflection: Reflection):
    services.load_shares(reflection)
    return render_template("reflections/view.html", reflection=reflection, now=utcnow(),
                           sections=SECTIONS[reflection.structure], **_page_context())


@bp.route("/<int:reflection_id>/delete", methods=["GET", "POST"])
@_own_reflection
def delete(reflection: Reflection):
    form = DeleteForm()
    if form.validate_on_submit():
        services.delete_reflection(reflection, _me())
        db.session.commit()
        flash(_("Your reflection has been deleted"), "success")
        return redirect(url_for("reflections.index"))
    return render_template("reflections/delete.html", form=form, reflection=reflection, **_page_context())
