"""The quarterly report as a PDF (render_pdf): the summary on page 1, hidden figures as *, the method
notes with k, the charts printed from data: URIs, the metadata (title, language, no author), tags,
and an organisation name that tries to load something and can only print as text."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from supervision.reports.render_pdf import render_pdf

from .report_samples import sample_report, tiny_report
from .test_pdf_fetcher import listener  # noqa: F401 (a fixture: a real HTTP server that counts requests)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def pages_of(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def english_pdf(app) -> bytes:
    # Rendered once for the module: printing takes a few seconds.
    with app.app_context():
        return render_pdf(sample_report(k=6), "en")


def test_page_one_is_the_summary_with_the_indicators_in_words(english_pdf):
    first, *rest = pages_of(english_pdf)
    assert "Wellbeing report" in first and "Cwm Taf Link Workers – July to September 2026" in first
    for label in ("Link workers who met the supervision standard at the end of the quarter",
                  "Debrief requests accepted within the target time", "Link workers burning out",
                  "Key figures", "National benchmark"):
        assert label in first, label
    assert "Needs attention" in first and "On track" in first
    assert "Method and privacy" not in first and "People and participation" not in first
    assert len(rest) >= 5


def test_the_sections_charts_recommendations_and_method_follow(english_pdf):
    text = " ".join(pages_of(english_pdf))
    for heading in ("People and participation", "Wellbeing", "Supervision", "Debriefs after distressing cases",
                    "Reflective practice", "Trends over the last five quarters",
                    "What Care for the Carer recommends", "Regular, protected clinical supervision",
                    "Method and privacy", "Figures not shown, and why"):
        assert heading in text, heading
    # Words that are only inside the charts' SVG: the charts were printed from their data: URIs.
    assert "Answer, from 1 (no symptoms of burnout) to 5" in text
    assert "Month of the quarter" in text and "Jul–Sep 2025" in text
    order = [text.index(h) for h in ("Summary", "People and participation", "What Care for the Carer recommends",
                                     "Method and privacy")]
    assert order == sorted(order)


def test_hidden_figures_print_as_a_star_and_the_method_names_k(english_pdf):
    text = " ".join(pages_of(english_pdf))
    assert re.search(r"(^| )\*( |$)", text)
    assert "* Not shown, to protect the people behind the figure" in text
    assert "at least 6 people" in text and "The value of k" in text
    assert "Fewer than 6 people are behind this figure." in text
    assert "Answers to the burnout question – answer 4" in text


def test_no_date_finer_than_the_quarter_is_printed(english_pdf):
    text = " ".join(pages_of(english_pdf))
    assert not re.search(r"\b\d{1,2} (%s)" % "|".join(MONTHS), text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    metadata = PdfReader(io.BytesIO(english_pdf)).metadata
    assert set(metadata) == {"/Producer", "/Title"}  # no creation date, no author, no keywords


def test_the_metadata_has_title_and_language_and_no_author_and_the_pdf_is_tagged(english_pdf):
    reader = PdfReader(io.BytesIO(english_pdf))
    assert reader.metadata.title == "Wellbeing report, July to September 2026, Cwm Taf Link Workers"
    assert reader.metadata.author is None
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root


def test_welsh_sets_the_language_and_names_the_quarter_in_welsh(app):
    with app.app_context():
        pdf = render_pdf(sample_report(draft=True), "cy")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    assert "Gorffennaf" in reader.metadata.title  # July, in Welsh
    assert "Gorffennaf" in pages_of(pdf)[0]


def test_a_hostile_organisation_name_prints_as_text_and_fetches_nothing(app, listener):  # noqa: F811
    server, requests = listener
    name = f'<img src="{server}/x.png"><link rel="stylesheet" href="file:///etc/passwd"> file:///etc/passwd'
    with app.app_context():
        pdf = render_pdf(tiny_report(organisation_name=name, draft=True), "en")
    first = pages_of(pdf)[0]
    assert f'<img src="{server}/x.png">' in first and "file:///etc/passwd" in first
    assert "Draft – not final" in first
    assert requests == []
    assert b"root:x:" not in pdf
    assert PdfReader(io.BytesIO(pdf)).metadata.title.endswith(name)
