"""The `archreview diff OLD NEW` command: review two versions of an architecture and compare.

Either side may be a file or a git revision `REV:path` (e.g. `HEAD~1:arch.yaml`), so a pull
request can be diffed against its base. Markdown goes to stdout unless `--out` is given; with
`--out`, one `diff.<fmt>` per format is written there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.console import err, out


def diff(
    old: Annotated[str, typer.Argument(help="The old intake: a file or REV:path.")],
    new: Annotated[str, typer.Argument(help="The new intake: a file or REV:path.")],
    formats: Annotated[str, typer.Option(
        "--format", help="Comma-separated: md,json,html.")] = "md",
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Write diff.<fmt> into this folder instead of printing.")] = None,
    lang: Annotated[str | None, typer.Option(
        help="Language: en or de (default: ARCHREVIEW_LANG, else en).")] = None,
) -> None:
    """Review OLD and NEW; report what changed: findings, capacity, sizing, cost, availability."""
    from assistant.cli.review import _parse_formats, _settings, _usable_out_dir
    from assistant.comparison.render import render_diff
    from assistant.comparison.service import diff_sources
    from assistant.comparison.sources import SourceError
    from assistant.intake.loading import IntakeError

    chosen = _parse_formats(formats)
    settings = _settings("offline", None, None, lang)
    if out_dir is None and chosen != ["md"] and len(chosen) > 1:
        raise typer.BadParameter("several formats need --out (one diff.<fmt> file each)",
                                 param_hint="--format")
    try:
        result = diff_sources(old, new, settings.language,
                              max_bytes=settings.max_intake_bytes)
    except SourceError as error:
        err.print(f"✗ {error}", highlight=False, markup=False)
        raise typer.Exit(code=1) from None
    except IntakeError as error:
        err.print(f"✗ {error.path}: {len(error.problems)} problem(s)", highlight=False,
                  markup=False)
        for problem in error.problems:
            err.print(f"  - {problem}", highlight=False, markup=False)
        raise typer.Exit(code=1) from None
    if out_dir is None:
        out.print(render_diff(result, chosen[0]), markup=False, highlight=False, end="")
        return
    _usable_out_dir(out_dir)
    for fmt in chosen:
        target = out_dir / f"diff.{fmt}"
        target.write_text(render_diff(result, fmt), encoding="utf-8")
        out.print(f"✓ {target}", markup=False, highlight=False)
