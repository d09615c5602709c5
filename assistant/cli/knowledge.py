"""The `archreview kb` commands: build the index, search it, show a card.

This module is imported when the CLI starts, so it imports only Typer and Rich; the index
(chromadb, onnxruntime) is imported inside the commands that need it.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from assistant.knowledge.search import KnowledgeBase

kb_app = typer.Typer(help="Search and inspect the pattern knowledge base.", no_args_is_help=True,
                     add_completion=False)
out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=code)


def _open_base() -> KnowledgeBase:
    """Open the knowledge base, turning card and model problems into a clean CLI error."""
    from assistant.knowledge.embeddings import EmbeddingError
    from assistant.knowledge.search import CardError, open_knowledge_base

    try:
        return open_knowledge_base()
    except (CardError, EmbeddingError) as error:
        raise _fail(str(error)) from None


@kb_app.command()
def build(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if unchanged.")] = False,
) -> None:
    """Build the search index, or confirm it matches the cards (re-embeds only on change)."""
    from assistant.knowledge.embeddings import EmbeddingError

    base = _open_base()
    try:
        info = base.build(force=force)
    except EmbeddingError as error:
        raise _fail(str(error)) from None
    out.print(f"index {info.status}: {info.cards} cards, {info.chunks} chunks in "
              f"{info.seconds:.2f} s at {info.location} (hash {info.content_hash[:12]})",
              highlight=False, soft_wrap=True)


@kb_app.command()
def search(
    query: Annotated[str, typer.Argument(help="What you are looking for, in English or German.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many cards to show.")] = 5,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="Only cards for this component kind, e.g. db, cache, queue.")] = None,
) -> None:
    """Search the pattern cards (BM25 and vector search, fused by reciprocal rank)."""
    from rich.table import Table

    from assistant.intake.schema import COMPONENT_KINDS
    from assistant.knowledge.embeddings import EmbeddingError

    if kind is not None and kind not in COMPONENT_KINDS:
        raise typer.BadParameter(f"expected one of {', '.join(COMPONENT_KINDS)}, got {kind!r}",
                                 param_hint="--kind")
    base = _open_base()
    try:
        hits = base.search(query, k=k, kind=kind)
    except EmbeddingError as error:
        raise _fail(str(error)) from None
    if not hits:
        out.print("no matching cards")
        return
    table = Table(title=f"Cards for: {query}", title_justify="left")
    table.add_column("rank", justify="right")
    table.add_column("id", no_wrap=True)
    table.add_column("title")
    table.add_column("score", justify="right")
    table.add_column("matched_by")
    for hit in hits:
        table.add_row(str(hit.rank), hit.card_id, hit.title, f"{hit.score:.4f}",
                      "+".join(hit.matched_by))
    out.print(table)


@kb_app.command()
def show(card_id: Annotated[str, typer.Argument(metavar="ID", help="Card id.")]) -> None:
    """Print one pattern card: its facts, then its text."""
    from rich.markdown import Markdown

    from assistant.knowledge.cards import CardError, load_cards

    try:
        cards = {c.id: c for c in load_cards()}
    except CardError as error:
        raise _fail(str(error)) from None
    card = cards.get(card_id)
    if card is None:
        near = difflib.get_close_matches(card_id, cards, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise _fail(f"no card with id {card_id!r}{hint}")
    cost = card.monthly_cost_impact
    out.print(f"[bold]{card.title}[/bold] ({card.title_de}) [dim]{card.id}[/dim]")
    out.print(f"applies to: {', '.join(card.applies_to)}", highlight=False)
    out.print(f"effort: {card.effort.min_weeks:g}-{card.effort.max_weeks:g} person-weeks; "
              f"monthly cost: {cost.min:g} to {cost.max:g} {cost.currency} ({cost.note})",
              highlight=False)
    out.print(f"triggers: {'; '.join(card.triggers)}", highlight=False, markup=False)
    out.print(f"sources: {', '.join(f'{s.file}:{s.lines}' for s in card.sources)}",
              highlight=False)
    out.print(f"file: {card.path}\n", highlight=False)
    out.print(Markdown(card.body))
