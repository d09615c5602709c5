"""Hostile intake text in every format: checked with real parsers, not string searches.

Markdown is parsed with markdown-it-py (CommonMark plus GFM tables), the diagram with the real
Mermaid parser (npm `mermaid` under Node, `make mermaid`), HTML stays autoescaped. The report
folders are unique per input, inside `--out`, and replaced as one set.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from assistant.assessment.compute import offline_review
from assistant.assessment.model import Review
from assistant.intake.schema import Intake
from assistant.report import render_markdown, write_reports
from assistant.report.diagram import mermaid, mermaid_id
from assistant.report.writer import REPORT_FILES, folder_name, report_folders
from tests.conftest import FIXED_TIME, ROOT
from tests.hostile import INJECTIONS, MARKER, hostile_intake_data

MERMAID_DIR = ROOT / "tests" / "mermaid"


@cache
def hostile_review(name_index: int = 0) -> Review:
    data = hostile_intake_data()
    data["name"] = INJECTIONS[name_index]
    intake = Intake.model_validate(data)
    return offline_review(intake, source="hostile.yaml", clock=lambda: FIXED_TIME)


def _tokens(markdown: str) -> list[Token]:
    parser = MarkdownIt("commonmark").enable("table")
    flat: list[Token] = []
    pending = parser.parse(markdown)
    while pending:
        token = pending.pop(0)
        flat.append(token)
        pending[:0] = token.children or []
    return flat


@pytest.mark.parametrize("name_index", range(len(INJECTIONS)))
def test_markdown_has_no_injected_images_links_html_or_headings(name_index: int) -> None:
    tokens = _tokens(render_markdown(hostile_review(name_index)))
    images = [t.attrGet("src") for t in tokens if t.type == "image"]
    assert all(not str(src).startswith(("http", "javascript")) for src in images), images
    links = [str(t.attrGet("href")) for t in tokens if t.type == "link_open"]
    assert not [h for h in links if "evil" in h or "javascript" in h or MARKER in h]
    assert not [t for t in tokens if t.type.startswith("html") and "script" in t.content]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not [h for h in headings[1:] if "Heading" in h or "Instructions from" in h], headings
    quotes = [tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "blockquote_open"]
    assert not [q for q in quotes if "quote" in q], quotes
    assert not [t for t in tokens if t.type == "code_inline" and MARKER in t.content
                and "evil" not in t.content and "/api/" not in t.content]
    title = next(tokens[i + 1] for i, t in enumerate(tokens) if t.type == "heading_open")
    assert MARKER in title.content and [c.type for c in title.children or []] == ["text"]


def test_markdown_tables_keep_their_shape_and_the_text_is_shown() -> None:
    markdown = render_markdown(hostile_review())
    tokens = _tokens(markdown)
    rows: list[int] = []
    widths: list[set[int]] = []
    for token in tokens:
        if token.type == "table_open":
            widths.append(set())
        elif token.type == "tr_open":
            rows.append(0)
        elif token.type in ("th_open", "td_open"):
            rows[-1] += 1
        elif token.type == "tr_close":
            widths[-1].add(rows[-1])
    assert widths and all(len(w) == 1 for w in widths), widths
    shown = " ".join(t.content for t in tokens if t.type == "text")
    assert f"/api/{MARKER}/" in shown  # escaped, not dropped


def test_mermaid_labels_carry_no_directive_comment_or_bracket() -> None:
    from assistant.report.diagram import mermaid_text

    label = mermaid_text("%%{init: {'theme': 'dark'}}%% \"] --> x[\"y\"] <b>")
    assert not any(c in label for c in '%{}[]"<>')


def test_mermaid_ids_are_one_to_one_with_component_ids() -> None:
    assert mermaid_id("api-1") != mermaid_id("api_1")
    assert mermaid_id("a_x2d_b") != mermaid_id("a-b")
    assert mermaid_id("end").startswith("n_")


def _parse_mermaid(text: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (MERMAID_DIR / "node_modules" / "mermaid").is_dir():
        pytest.skip("the Mermaid parser is not installed: run `make mermaid` (needs node/npm)")
    done = subprocess.run([node, str(MERMAID_DIR / "parse.mjs")], input=text, text=True,
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_real_mermaid_parser_reads_the_hostile_diagram_as_drawn() -> None:
    review = hostile_review()
    parsed = _parse_mermaid(mermaid(review))
    assert parsed["ok"], parsed.get("error")
    assert parsed["config"] == {}  # no %%{init}%% directive took effect
    ids = {n["id"] for n in parsed["nodes"]}
    assert len(ids) == len(review.intake.components)  # api-1 and api_1 stay two nodes
    assert ids == {mermaid_id(c.id) for c in review.intake.components}
    expected_edges = {(mermaid_id(c.id), mermaid_id(d)) for c in review.intake.components
                      for d in c.depends_on}
    assert {tuple(e) for e in parsed["edges"]} == expected_edges


@pytest.mark.slow
def test_real_mermaid_parser_rejects_what_escaping_prevents() -> None:
    """The check can fail: the raw text the escaping removes does break or re-theme Mermaid."""
    raw = 'flowchart LR\n  a["x"] --> evil["y"]\n'
    assert len(_parse_mermaid(raw)["nodes"]) == 2
    themed = _parse_mermaid("%%{init: {'theme': 'dark'}}%%\nflowchart LR\n  a --> b\n")
    assert themed["config"] == {"theme": "dark"}


def test_html_stays_autoescaped() -> None:
    from assistant.report.html import render_html

    page = render_html(hostile_review())
    assert "<script" not in page.lower()  # the report runs no scripts, injected or not
    assert "%%{init" in page and MARKER in page  # the hostile name is shown as text


# --- report folders and the atomic set --------------------------------------------------------


def test_report_folders_are_unique_and_inside_out(tmp_path: Path) -> None:
    inputs = [Path("a/x.yaml"), Path("b/x.yaml"), Path("c/X.yaml"), Path("...yaml"),
              Path("../../etc/passwd.yaml"), Path("we[/]x.yaml"), Path(".hidden.yaml")]
    folders = report_folders(tmp_path, inputs)
    names = [f.name for f in folders.values()]
    assert len({n.lower() for n in names}) == len(inputs)
    assert names[:3] == ["x", "x-2", "X-3"]
    for folder in folders.values():
        assert folder.parent == tmp_path and folder.resolve().is_relative_to(tmp_path.resolve())
        assert not folder.name.startswith(".")
    assert folder_name(Path("...yaml")) == "intake"


def test_a_failed_render_leaves_the_previous_set(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.report.writer as writer

    review = hostile_review()
    write_reports(review, tmp_path, ("json", "html"))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def interrupted(_review: Review) -> str:
        raise KeyboardInterrupt

    monkeypatch.setitem(writer.RENDERERS, "html", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_reports(review, tmp_path, ("json", "html"))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no staging left


def test_a_new_set_replaces_the_old_one_whole(tmp_path: Path) -> None:
    review = hostile_review()
    write_reports(review, tmp_path, ("json", "html"))
    written = write_reports(review, tmp_path, ("json",))
    assert written == [str(tmp_path / "report.json")]
    assert {p.name for p in tmp_path.iterdir()} == {"report.json"}
    assert "report.html" in REPORT_FILES


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot (make graphviz)")
def test_graphviz_diagram_keeps_hostile_technology_as_text() -> None:
    import xml.etree.ElementTree as ET

    from assistant.report.diagram import svg

    drawing = svg(hostile_review())
    root = ET.fromstring(drawing)  # well-formed XML: no label escaped its element
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"script", "foreignObject", "image", "a", "iframe"}, tags
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "not drawn" not in texts and "api-1" in texts and "api_1" in texts
    assert "<script" not in drawing and '"] --> evil["' in texts  # shown, as text
