"""Knowledge base: strict card parsing, hybrid search, kind filter, hash-based rebuilds, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.knowledge import kb_app
from assistant.knowledge.cards import load_cards
from assistant.knowledge.search import (
    BM25,
    CardError,
    KnowledgeBase,
    card_chunks,
    knowledge_dir,
    open_knowledge_base,
    reciprocal_rank_fusion,
    tokenize,
)
from tests.conftest import ROOT

CACHING_CARDS = {"multi-layer-caching", "distributed-cache"}
MUST_PASS = ("Datenbank wird zum Engpass bei vielen Lesezugriffen",
             "database is the bottleneck for reads")


def card_text(card_id: str, *, title: str = "Read replicas", title_de: str = "Lese-Replikate",
              applies_to: str = "[db]", keywords_de: str = "[Lesereplikat, viele Lesezugriffe]",
              body: str = "## What it is\nCopies of the primary database serve reads.\n",
              extra: str = "", drop: str | None = None) -> str:
    fields = {
        "id": card_id,
        "title": title,
        "title_de": title_de,
        "applies_to": applies_to,
        "triggers": '["symptom: primary database CPU is high while most queries are reads"]',
        "thresholds": '["first replica at 1,000-10,000 users"]',
        "effort": "{min_weeks: 1, max_weeks: 3}",
        "monthly_cost_impact": "{min: 150, max: 1000, currency: USD, note: estimate}",
        "risks": '["replication lag"]',
        "keywords_de": keywords_de,
        "sources": '[{file: 004_seed.txt, lines: "90-121"}]',
    }
    lines = [f"{k}: {v}" for k, v in fields.items() if k != drop]
    return "---\n" + "\n".join(lines) + f"\n{extra}---\n{body}"


def write(folder: Path, card_id: str, **kwargs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{card_id}.md"
    path.write_text(card_text(card_id, **kwargs), encoding="utf-8")
    return path


def small_set(folder: Path) -> Path:
    """Four cards on different topics, enough for hybrid retrieval to separate them."""
    write(folder, "read-replicas")
    write(folder, "caching", title="Caching hot data", title_de="Caching",
          applies_to="[cache, app]", keywords_de="[Zwischenspeicher, Cache, heiße Daten]",
          body="## What it is\nKeep frequently read data in Redis in front of the database.\n")
    write(folder, "cdn", title="Content delivery network", title_de="CDN",
          applies_to="[cdn, web]", keywords_de="[Bilder langsam, statische Dateien]",
          body="## What it is\nServe images, scripts and stylesheets from edge locations.\n")
    write(folder, "message-queues", title="Message queues", title_de="Warteschlangen",
          applies_to="[queue, worker]", keywords_de="[Warteschlange, asynchron]",
          body="## What it is\nMove slow work such as sending emails to background workers.\n")
    return folder


# ---- parsing -------------------------------------------------------------------------------


def test_missing_field_names_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "read-replicas", drop="risks")
    with pytest.raises(CardError) as error:
        load_cards(tmp_path)
    assert str(path) in str(error.value)
    assert "risks: Field required" in str(error.value)


def test_unknown_field_names_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "read-replicas", extra="colour: blue\n")
    with pytest.raises(CardError) as error:
        load_cards(tmp_path)
    assert str(path) in str(error.value)
    assert "colour: Extra inputs are not permitted" in str(error.value)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "replicas.md"
    path.write_text(card_text("read-replicas"), encoding="utf-8")
    with pytest.raises(CardError, match="id: expected the file name 'replicas'") as error:
        load_cards(tmp_path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(("change", "expected"), [
    ({"applies_to": "[database]"}, "applies_to"),
    ({"keywords_de": "Lesereplikat"}, "keywords_de: Input should be a valid list"),
])
def test_bad_values_name_field_and_expectation(tmp_path: Path, change: dict[str, str],
                                               expected: str) -> None:
    write(tmp_path, "read-replicas", **change)
    with pytest.raises(CardError, match=expected):
        load_cards(tmp_path)


def test_a_bad_card_is_never_skipped(tmp_path: Path) -> None:
    small_set(tmp_path)
    write(tmp_path, "broken", drop="sources")
    with pytest.raises(CardError, match="broken.md: sources"):
        load_cards(tmp_path)


def test_every_card_in_knowledge_parses() -> None:
    cards = load_cards(knowledge_dir())
    assert cards and [c.id for c in cards] == sorted(c.id for c in cards)
    for card in cards:
        assert Path(card.path).stem == card.id
        assert card_chunks(card), card.id


# ---- retrieval building blocks ----------------------------------------------------------------


def test_tokenize_meets_inflected_german_and_english_forms() -> None:
    assert tokenize("vielen Lesezugriffen") == tokenize("viele Lesezugriffe")
    assert tokenize("Datenbanken") == tokenize("Datenbank")
    assert tokenize("caches") == tokenize("cache")
    assert tokenize("Überlast") == tokenize("uberlast")
    assert tokenize("the and der die") == []


def test_bm25_prefers_the_document_with_rare_matching_terms() -> None:
    docs = [tokenize("database replica reads"), tokenize("image cdn edge"), tokenize("database")]
    scores = BM25(docs).scores(tokenize("replica"))
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0


def test_reciprocal_rank_fusion_rewards_agreement_and_records_sources() -> None:
    fused = reciprocal_rank_fusion({"bm25": ["a", "b"], "vector": ["b", "c"]},
                                   {"bm25": 1.0, "vector": 1.0})
    assert [item for item, _, _ in fused] == ["b", "a", "c"]
    assert fused[0][2] == ("bm25", "vector") and fused[2][2] == ("vector",)


# ---- hybrid search on a small set ----------------------------------------------------------


@pytest.fixture
def small_base(tmp_path: Path) -> KnowledgeBase:
    return open_knowledge_base(small_set(tmp_path / "cards"), cache=tmp_path / "cache",
                               chroma_url="")


def test_hybrid_search_english_and_german(small_base: KnowledgeBase) -> None:
    english = small_base.search("database overloaded by many reads", k=2)
    assert english[0].card_id == "read-replicas" and english[0].rank == 1
    assert set(english[0].matched_by) == {"bm25", "vector"}
    german = small_base.search("Bilder laden langsam", k=2)
    assert german[0].card_id == "cdn"
    assert small_base.search("send emails in the background", k=1)[0].card_id == "message-queues"


def test_vector_search_finds_a_card_without_shared_words(small_base: KnowledgeBase) -> None:
    query = "pictures take ages to appear for visitors abroad"
    assert small_base.bm25_ranking(query) == []
    assert small_base.vector_ranking(query)[0] == "cdn"


def test_kind_filter_keeps_only_cards_for_that_kind(small_base: KnowledgeBase) -> None:
    hits = small_base.search("database reads", k=5, kind="cache")
    assert [h.card_id for h in hits] == ["caching"]
    assert small_base.search("database reads", k=5, kind="lb") == []


def test_rebuild_only_when_cards_change(tmp_path: Path) -> None:
    cards, cache = small_set(tmp_path / "cards"), tmp_path / "cache"
    first = open_knowledge_base(cards, cache=cache, chroma_url="").build()
    second = open_knowledge_base(cards, cache=cache, chroma_url="").build()
    assert (first.status, second.status) == ("built", "unchanged")
    assert first.content_hash == second.content_hash and second.chunks == first.chunks
    write(cards, "cdn", title="Content delivery network", applies_to="[cdn]",
          body="## What it is\nEdge caches for static files.\n")
    third = open_knowledge_base(cards, cache=cache, chroma_url="").build()
    assert third.status == "built" and third.content_hash != first.content_hash
    assert open_knowledge_base(cards, cache=cache, chroma_url="").build(force=True).status \
        == "built"


def test_chroma_client_has_telemetry_off(small_base: KnowledgeBase) -> None:
    assert small_base.client_factory().get_settings().anonymized_telemetry is False


def test_importing_the_knowledge_modules_loads_nothing_heavy() -> None:
    code = ("import sys, assistant.knowledge.search, assistant.cli.knowledge, "
            "assistant.knowledge.embeddings; "
            "heavy = [m for m in ('chromadb', 'onnxruntime', 'numpy', 'tokenizers') "
            "if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- the real knowledge base ---------------------------------------------------------------


@pytest.fixture(scope="session")
def real_base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    cards = load_cards(knowledge_dir())
    if len(cards) < 40:
        pytest.skip(f"knowledge/ has {len(cards)} cards; the must-pass queries need >= 40")
    return open_knowledge_base(cards=cards, cache=tmp_path_factory.mktemp("kb-cache"),
                               chroma_url="")


@pytest.mark.parametrize("query", MUST_PASS)
def test_must_pass_queries_find_replicas_and_caching(real_base: KnowledgeBase,
                                                     query: str) -> None:
    ids = [hit.card_id for hit in real_base.search(query, k=5)]
    assert "read-replicas" in ids, ids
    assert CACHING_CARDS & set(ids), ids


def test_cli_search_prints_a_table(real_base: KnowledgeBase,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.knowledge.search.open_knowledge_base", lambda: real_base)
    result = CliRunner().invoke(kb_app, ["search", MUST_PASS[1], "--k", "3", "--kind", "db"])
    assert result.exit_code == 0, result.output
    assert "read-replicas" in result.stdout and "matched_by" in result.stdout


def test_cli_search_rejects_an_unknown_kind() -> None:
    result = CliRunner().invoke(kb_app, ["search", "reads", "--kind", "database"])
    assert result.exit_code == 2 and "expected one of" in result.output


def test_cli_show_prints_a_card_and_suggests_near_ids() -> None:
    runner = CliRunner()
    shown = runner.invoke(kb_app, ["show", "read-replicas"])
    assert shown.exit_code == 0 and "Read replicas" in shown.stdout
    missing = runner.invoke(kb_app, ["show", "read-replica"])
    assert missing.exit_code == 1 and "did you mean read-replicas" in missing.stderr


def test_cli_build_reports_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHREVIEW_KNOWLEDGE_DIR", str(small_set(tmp_path / "cards")))
    monkeypatch.setenv("ARCHREVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ARCHREVIEW_CHROMA_URL", raising=False)
    runner = CliRunner()
    assert "index built: 4 cards" in runner.invoke(kb_app, ["build"]).stdout
    assert "index unchanged" in runner.invoke(kb_app, ["build"]).stdout
    assert "index built" in runner.invoke(kb_app, ["build", "--force"]).stdout


def test_bad_card_is_a_clean_cli_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "broken", drop="title")
    monkeypatch.setenv("ARCHREVIEW_KNOWLEDGE_DIR", str(tmp_path))
    result = CliRunner().invoke(kb_app, ["search", "anything"])
    assert result.exit_code == 1 and "broken.md: title: Field required" in result.stderr


def test_eval_file_names_only_existing_cards() -> None:
    from evals.run_retrieval import load_eval, unknown_ids

    queries = load_eval()
    assert len(queries) >= 40
    assert sum(q.lang == "de" for q in queries) * 2 >= len(queries)
    assert unknown_ids(queries, {c.id for c in load_cards(knowledge_dir())}) == []


def test_eval_recall_meets_the_goal_per_language(real_base: KnowledgeBase) -> None:
    from evals.run_retrieval import GOAL_RECALL, load_eval, score

    results = [(q, [h.card_id for h in real_base.search(q.query, k=5, kind=q.kind)])
               for q in load_eval()]
    for lang in ("en", "de"):
        result = score([r for r in results if r[0].lang == lang], k=5)
        assert result.recall >= GOAL_RECALL, (lang, result)
