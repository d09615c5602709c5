"""Render a `ReviewDiff` as Markdown, JSON or HTML (Jinja2 templates beside the report's).

Intake text (system names, file labels) is data: escaped for Markdown by the report's own text
filter and autoescaped in HTML, so a name like `<script>` or `|` shows as text.
"""

from __future__ import annotations

import html

import jinja2

from assistant.comparison.model import ReviewDiff
from assistant.comparison.service import FolderDiff
from assistant.i18n.messages import Language, Messages
from assistant.report.markdown import TEMPLATES, _code, _text

FORMATS = ("md", "json", "html")


def _environment(text: Messages, autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             undefined=jinja2.StrictUndefined, autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["text"] = _text if not autoescape else str
    env.filters["code"] = (lambda v: f"`{_code(v)}`") if not autoescape else str
    env.globals["t"] = text.t
    env.globals["month"] = lambda m: text.t("diff.never") if m is None else text.value(m)
    env.globals["pct"] = lambda v: "-" if v is None else text.pct(v)
    env.globals["count"] = lambda v: "-" if v is None else text.number(v)

    def money(value: float | None, signed: bool = False) -> str:
        if value is None:
            return "-"
        shown = text.number(round(value), 0)
        return f"+{shown}" if signed and value > 0 else shown

    env.globals["money"] = money
    return env


def render_diff(diff: ReviewDiff, fmt: str) -> str:
    """The diff in one format: md, json or html.

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "json":
        return diff.model_dump_json(indent=2) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown diff format {fmt!r}; expected one of {', '.join(FORMATS)}")
    text = Messages(diff.language)
    template = _environment(text, autoescape=fmt == "html").get_template(f"diff.{fmt}.j2")
    return template.render(d=diff)


def _demoted(markdown: str) -> str:
    """Every heading one level down, so each file's diff nests under the folder's title."""
    return "\n".join("#" + line if line.startswith("#") else line
                     for line in markdown.splitlines()) + "\n"


def _body(html_page: str) -> str:
    return html_page.split("<body>", 1)[1].rsplit("</body>", 1)[0]


def render_folder_diff(folders: FolderDiff, fmt: str, lang: Language = "en") -> str:
    """A folder diff in one format: what could not be paired, then each file's diff in turn."""
    if fmt == "json":
        return folders.model_dump_json(indent=2) + "\n"
    text = Messages(lang)
    notes = [text.t("diff.folders.only_old", files=", ".join(folders.only_old))
             if folders.only_old else "",
             text.t("diff.folders.only_new", files=", ".join(folders.only_new))
             if folders.only_new else "",
             *(text.t("diff.folders.failed", file=name, reason=reason)
               for name, reason in folders.failed.items())]
    notes = [n for n in notes if n]
    title = text.t("diff.folders.title", old=folders.old_dir, new=folders.new_dir)
    if fmt == "html":
        pages = [render_diff(d, "html") for d in folders.diffs.values()]
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title></head>\n<body>\n"
                f"<h1>{html.escape(title)}</h1>\n<ul>{items}</ul>\n"
                + "\n<hr>\n".join(_body(p) for p in pages) + "\n</body>\n</html>\n")
    lines = [f"# {_text(title)}", "", *(f"- {_text(n)}" for n in notes), ""]
    return "\n".join(lines) + "\n".join(_demoted(render_diff(d, "md"))
                                        for d in folders.diffs.values())
