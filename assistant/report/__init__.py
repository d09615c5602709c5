"""Render a `Review` as Markdown and JSON (HTML and charts build on the same data)."""

from assistant.report.json_report import render_json, write_schema
from assistant.report.markdown import render_markdown
from assistant.report.writer import FORMATS, write_reports

__all__ = ["FORMATS", "render_json", "render_markdown", "write_reports", "write_schema"]

