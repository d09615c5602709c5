"""Write a review to disk in the requested formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.assessment.model import Review
from assistant.report.json_report import render_json
from assistant.report.markdown import render_markdown

FORMATS = ("md", "json", "html")


def _html(review: Review) -> str:
    from assistant.report.html import render_html  # matplotlib: only when HTML is asked for

    return render_html(review)


RENDERERS: dict[str, Callable[[Review], str]] = {
    "md": render_markdown, "json": render_json, "html": _html,
}


def write_reports(review: Review, out_dir: Path, formats: tuple[str, ...]) -> list[str]:
    """Write `report.<fmt>` for each format into `out_dir`; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if "md" in formats:
        from assistant.report.charts import write_markdown_charts

        written += [str(out_dir / name) for name in write_markdown_charts(review, out_dir).values()]
    for fmt in formats:
        path = out_dir / f"report.{fmt}"
        path.write_text(RENDERERS[fmt](review), encoding="utf-8")
        written.append(str(path))
    return written
