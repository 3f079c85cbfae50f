"""Rendering: the only place that formats reports for people (rich tables) or tools (JSON, CSV,
Markdown). Reports never print themselves."""

from cnncalc.render.text import render_csv, render_json, render_markdown

FORMATS = ("table", "json", "csv", "markdown")

__all__ = ["FORMATS", "render_csv", "render_json", "render_markdown"]
