"""The `archreview` command: one Typer app that mounts each command group's module.

A new command goes into the module of its group (`review.py`, `knowledge.py`, ...) and is
registered here, so this file only wires.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import review as review_commands
from assistant.cli.batch import batch as batch_command
from assistant.cli.console import out
from assistant.cli.diff import diff as diff_command
from assistant.cli.eval import eval_command
from assistant.cli.gc_tuning import tune_for_cli
from assistant.cli.importing import import_command
from assistant.cli.knowledge import kb_app
from assistant.cli.workshop import workshop_app
from assistant.version import __version__

app = typer.Typer(
    help="Architecture review for scaling: what breaks first, what to do, what it costs.",
    no_args_is_help=True, add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"archreview {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Architecture review for scaling: what breaks first, what to do, what it costs."""


app.command()(review_commands.review)
app.command()(review_commands.validate)
app.command()(review_commands.schema)
app.command(name="batch")(batch_command)
app.command(name="diff")(diff_command)
app.command(name="import")(import_command)
app.add_typer(kb_app, name="kb", help="Search and inspect the pattern knowledge base.")
app.add_typer(workshop_app, name="workshop",
              help="Workshop exercises from the seeds, checked and scored.")
app.command(name="eval")(eval_command)


def main() -> None:
    """Run the CLI (the `archreview` command and `python -m assistant`)."""
    tune_for_cli()
    app(prog_name="archreview")


if __name__ == "__main__":
    main()
