"""Cwtch's pygal house style, shared by the wellbeing trend (pulse/trend.py) and the quarterly reports
(reports/charts.py): the GOV.UK Style, the options every chart takes, and the SVG clean-up.

Importing this module also takes pygal's import hook out of sys.meta_path (see below), so every module
that draws a chart imports pygal through here, or after it.
"""
from __future__ import annotations

import base64
import hashlib
import sys
from dataclasses import dataclass
from typing import Any

import pygal
from pygal.style import Style

# pygal appends a finder for its map plug-ins (which Cwtch does not use) to sys.meta_path. It has no
# find_spec, so every optional import that falls through to it (fontTools trying brotlicffi, say)
# raises an ImportWarning, which the tests turn into an error. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

# The options every Cwtch chart takes. js=[]: no script is linked (the clean-up drops the inline one).
# Labels and legends are never cut short, since a cut label (often a longer Welsh one) can say something
# else; values are printed on the chart, since neither the PDF nor a screen reader can hover.
CHART_OPTIONS: dict[str, Any] = {
    "js": [], "print_values": True, "legend_at_bottom": True, "truncate_legend": -1, "truncate_label": -1,
    "show_x_guides": False, "width": 800,
}


def govuk_style(colours: tuple[str, ...], *, value_font_size: int = 14) -> Style:
    """GOV.UK text and guide colours on white, with the series in `colours` (choose GOV.UK colours with
    strong contrast on white; give series their own dash pattern or position too, so that colour is
    never the only way to tell them apart)."""
    return Style(
        background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c", foreground_strong="#0b0c0c",
        foreground_subtle="#505a5f", colors=colours, font_family="arial, sans-serif", title_font_size=20,
        label_font_size=14, major_label_font_size=14, legend_font_size=14, value_font_size=value_font_size,
        no_data_font_size=24, stroke_width="3", opacity="1", opacity_hover="1", stroke_opacity="1",
        stroke_opacity_hover="1", guide_stroke_color="#b1b4b6", guide_stroke_dasharray="1, 0",
        major_guide_stroke_color="#b1b4b6", major_guide_stroke_dasharray="1, 0",
    )


@dataclass(frozen=True)
class RenderedSvg:
    svg: bytes
    # CSP sources for the SVG's own inline <style>, so that an SVG served on its own can have a policy
    # that allows exactly that style and nothing else (no 'unsafe-inline', no script at all).
    style_sources: tuple[str, ...]


def style_source(css: str) -> str:
    """The CSP hash source ('sha256-…') of one inline style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


def render_svg(chart: Any) -> RenderedSvg:
    """Render a pygal chart with neither script nor comments. pygal always writes its configuration as a
    <script> in <defs>, even with js=[], and comments that carry the day the chart was drawn: the SVG
    keeps neither (no script may run; and a report may show no date finer than its quarter, even out of
    sight). The hash of each <style> is noted on the way."""
    sources: list[str] = []

    def clean(root):
        for parent in list(root.iter()):
            for child in list(parent):
                if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] == "script":
                    parent.remove(child)
                elif child.tag.rsplit("}", 1)[-1] == "style" and child.text:
                    sources.append(style_source(child.text))
        return root

    chart.add_xml_filter(clean)
    svg = chart.render()
    return RenderedSvg(svg, tuple(sources))
