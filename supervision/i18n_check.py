"""Checks that keep the Welsh catalogue complete: extraction against the catalogue, and
template text left outside gettext. Used by the tests and by `make` users alike."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

from . import ROOT

KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
CATALOGUE = ROOT / "supervision" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"

# Text that is the same in both languages: names, and each language's own name.
UNTRANSLATED_ALLOWED = {
    "Cwtch", "– Cwtch", "English", "Cymraeg", "cwtch_session", "cwtch_lang", "–", "•", "·", ",", ":", "/", "|",
}


def extracted_messages(root: Path = ROOT) -> set[tuple[str | tuple[str, ...], str | None]]:
    """Each message with its context (pgettext), since the same words may be translated apart."""
    found: set[tuple[str | tuple[str, ...], str | None]] = set()
    sources = [
        (root / "supervision", [("**.py", "python")]),
        (root / "templates", [("**.html", "jinja2"), ("**.txt", "jinja2")]),
    ]
    for directory, method_map in sources:
        for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(directory), method_map=method_map, keywords=KEYWORDS
        ):
            found.add((message if isinstance(message, str) else tuple(message), context))
    return found


def missing_translations(catalogue_path: Path = CATALOGUE, root: Path = ROOT) -> list[str]:
    """Message ids in the code or templates with no Welsh translation (or only a fuzzy one)."""
    with open(catalogue_path, "rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for message, context in sorted(extracted_messages(root), key=str):
        key = message if isinstance(message, str) else message[0]
        entry = catalogue.get(key, context=context)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(key)
    return missing


_LEXER = Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"])  # only lexes
_TAG = re.compile(r"<[^>]*>", re.S)
_ATTRS = re.compile(r'\s(?:aria-label|title|alt|placeholder)="([^"{]*[A-Za-z][^"{]*)"')
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def untranslated_template_text(path: Path) -> list[str]:
    """Words in a template that a person would read but that are not inside _() or {% trans %}."""
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", " ", source, flags=re.S)
    found = [m.group(1).strip() for m in _ATTRS.finditer(source)]
    source = _SCRIPT_STYLE.sub(" ", source)
    # Jinja's own lexer finds the literal text, however deeply expressions nest.
    tokens = list(_LEXER.lex(source))
    text = " \n ".join(value for _line, kind, value in tokens if kind == "data")
    found.extend(_bare_string_literals(tokens))
    if path.suffix == ".html":
        text = _TAG.sub(" ", text)
    for chunk in re.split(r"\s{2,}|\n", text):
        chunk = chunk.strip()
        if not chunk or not re.search(r"[A-Za-zÀ-ÿ]", chunk):
            continue
        if chunk in UNTRANSLATED_ALLOWED or chunk.startswith("&"):
            continue
        found.append(chunk)
    return found


_GETTEXT_NAMES = {"_", "gettext", "ngettext", "_l", "lazy_gettext"}
_CSS_OR_CODE = re.compile(r"govuk|cwtch-|js-|__|--|\.html|/")


def _bare_string_literals(tokens) -> list[str]:
    """Quoted strings inside {{ }} or {% %} that read like prose but are not passed to gettext."""
    found = []
    calls: list[bool] = []  # for each open parenthesis: is it a gettext call?
    previous_name = None
    for _line, kind, value in tokens:
        if kind == "operator" and value == "(":
            calls.append(previous_name in _GETTEXT_NAMES)
        elif kind == "operator" and value == ")" and calls:
            calls.pop()
        elif kind == "string":
            literal = value[1:-1]
            in_gettext = bool(calls) and calls[-1]
            if not in_gettext and " " in literal.strip() and re.search(r"[A-Za-z]{2}", literal) \
                    and not _CSS_OR_CODE.search(literal):
                found.append(literal)
        previous_name = value if kind == "name" else None
    return found


def templates_with_untranslated_text(root: Path = ROOT) -> dict[str, list[str]]:
    problems = {}
    for path in sorted((root / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            words = untranslated_template_text(path)
            if words:
                problems[str(path.relative_to(root))] = words
    return problems
