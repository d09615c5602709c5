"""The review's fast paths give the same answers as the slow ones they replace.

Each speed-up of issue 18 (memoised capacity runs, memoised growth months, each driver's values
on the month grid computed once, one compiled graph per process, every finding's knowledge query
in one round) is checked here against the plain
computation, so a faster review can never be a different review.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.capacity import model as capacity_model
from assistant.capacity.compute_tier import curves_for
from assistant.capacity.demand import resolve
from assistant.capacity.growth import GrowthModel
from assistant.catalogue.model import defaults_for, load_defaults
from assistant.intake.loading import load_intake
from assistant.knowledge.search import KnowledgeBase, knowledge_dir, load_cards, open_knowledge_base
from assistant.settings import Settings
from assistant.workflow.nodes import retrieve_all
from assistant.workflow.run import compiled_graph, run_workflow
from tests.conftest import EXAMPLES, FIXED_TIME

SAAS = EXAMPLES / "saas-growth.yaml"


def test_memoised_capacity_report_equals_a_fresh_run() -> None:
    intake = load_intake(SAAS)
    defaults = defaults_for(intake)
    capacity_model.clear_memo()
    first = capacity_model.analyse(intake, defaults)
    assert capacity_model.analyse(intake, defaults) is first  # the second run is the memo
    fresh = capacity_model._analyse(intake, defaults, None, True)
    assert first.model_dump() == fresh.model_dump()
    without = capacity_model.analyse(intake, defaults, latency=False)
    assert without is not first and without.latency == []


def test_memo_tells_apart_cpu_level_defaults_and_intake() -> None:
    intake = load_intake(SAAS)
    defaults = defaults_for(intake)
    plain = capacity_model.analyse(intake, defaults)
    assert capacity_model.analyse(intake, defaults, 0.5) is not plain
    bigger = intake.model_copy(update={"targets": intake.targets.model_copy(
        update={"target_users": intake.targets.target_users * 2})})
    assert capacity_model.analyse(bigger, defaults).model_dump() != plain.model_dump()
    other = defaults.model_copy(deep=True)
    assert capacity_model.analyse(intake, other) is not plain  # another defaults object


def test_memo_is_bounded() -> None:
    intake = load_intake(SAAS)
    defaults = defaults_for(intake)
    capacity_model.clear_memo()
    for step in range(capacity_model.MEMO_SIZE + 5):
        capacity_model.analyse(intake, defaults, 0.3 + step / 1000)
    assert len(capacity_model._memo) == capacity_model.MEMO_SIZE


def test_growth_memo_returns_the_computed_users() -> None:
    growth = GrowthModel(load_intake(SAAS))
    months = growth.months()
    first = [growth.users(m) for m in months]
    assert first == [growth._users(m) for m in months]
    assert [growth.users(m) for m in months] == first
    months.append(99.0)  # the grid handed out is a copy
    assert growth.months()[-1] != 99.0


def test_the_compiled_graph_is_built_once_and_reviews_stay_the_same() -> None:
    assert compiled_graph("raise") is compiled_graph("raise")
    assert compiled_graph("raise") is not compiled_graph("fallback")
    settings = Settings()
    first = run_workflow(SAAS, settings, clock=lambda: FIXED_TIME)
    second = run_workflow(SAAS, settings, clock=lambda: FIXED_TIME)
    assert first.model_dump() == second.model_dump()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return open_knowledge_base(cards=load_cards(knowledge_dir()),
                               cache=tmp_path_factory.mktemp("kb-fast"), chroma_url="")


def test_search_many_ranks_every_query_as_search_does(base: KnowledgeBase) -> None:
    from evals.run_retrieval import load_eval

    queries = load_eval()
    for kind in sorted({q.kind for q in queries}, key=str):
        asked = [q.query for q in queries if q.kind == kind][:12]
        together = base.search_many(asked + [asked[0], "  "], k=5, kind=kind)
        alone = [base.search(q, k=5, kind=kind) for q in asked]
        assert together[:-2] == alone
        assert together[-2] == alone[0] and together[-1] == []


def test_retrieve_all_uses_the_bulk_search_when_there_is_one() -> None:
    class Bulk:
        def __init__(self) -> None:
            self.rounds: list[list[str]] = []

        def __call__(self, query: str, kind: str | None) -> list[str]:
            raise AssertionError("asked one by one")

        def many(self, queries: list[str]) -> list[list[str]]:
            self.rounds.append(queries)
            return [[q.upper()] for q in queries]

    bulk = Bulk()
    assert retrieve_all(bulk, ["a", "b"]) == [["A"], ["B"]] and bulk.rounds == [["a", "b"]]
    assert retrieve_all(lambda q, kind: [q * 2], ["a", "b"]) == [["aa"], ["bb"]]


def test_a_review_with_the_knowledge_base_cites_what_one_by_one_search_finds(
        base: KnowledgeBase, tmp_path: Path) -> None:
    from assistant.workflow.run import KnowledgeRetrieval

    bulk = KnowledgeRetrieval(3, base)
    one_by_one = lambda q, kind: [h.card_id for h in base.search(q, k=3, kind=kind)]  # noqa: E731
    settings = Settings()
    fast = run_workflow(SAAS, settings, clock=lambda: FIXED_TIME, retrieval=bulk)
    slow = run_workflow(SAAS, settings, clock=lambda: FIXED_TIME, retrieval=one_by_one)
    assert fast.related and fast.related == slow.related


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.yaml")
                                        if p.stem != "broken-intake"))
def test_breaking_months_are_the_first_grid_month_at_the_threshold(name: str) -> None:
    """The search over a driver's shared grid values finds what walking each curve finds."""
    intake, defaults = load_intake(EXAMPLES / f"{name}.yaml"), load_defaults()
    growth = GrowthModel(intake)
    curves = [curve for c in intake.components
              for curve in curves_for(resolve(c, defaults), intake, growth, defaults)]
    walked = [next((round(m, 1) for m in growth.months()
                    if curve.utilisation(m) >= curve.threshold - 1e-12), None) for curve in curves]
    assert [capacity_model._crossing_month(curve, growth) for curve in curves] == walked
    assert any(month is not None for month in walked)  # the comparison covers real crossings


def test_the_cli_entry_point_tunes_the_collector_and_freezes_at_exit() -> None:
    """`archreview` runs `main()`, which raises gen-0's threshold and freezes objects at exit."""
    import subprocess
    import sys
    import tomllib

    from tests.conftest import ROOT

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert scripts["project"]["scripts"]["archreview"] == "assistant.cli.app:main"
    probe = ("import atexit, gc, sys\n"
             "from assistant.cli import app\n"
             "sys.argv = ['archreview', '--version']\n"
             # registered before main(), so it runs after main()'s freeze (last in, first out)
             "atexit.register(lambda: print('threshold', gc.get_threshold()[0],\n"
             "                              'frozen', gc.get_freeze_count() > 0))\n"
             "try:\n    app.main()\nexcept SystemExit:\n    pass\n"
             "print('frozen during the run', gc.get_freeze_count() > 0)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    from assistant.cli.gc_tuning import FIRST_GENERATION_THRESHOLD

    assert f"threshold {FIRST_GENERATION_THRESHOLD} frozen True" in done.stdout
    assert "frozen during the run False" in done.stdout  # only at exit


class _CountingEmbedder:
    """The real default model, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        from assistant.knowledge.embeddings import default_embedder

        self._model = default_embedder()
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return self._model.name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts += list(texts)
        return self._model.embed(texts)


def test_a_new_process_reads_stored_query_vectors_instead_of_embedding(
        tmp_path: Path) -> None:
    """The second knowledge base (a later process) finds the same hits without the model."""
    cache, cards = tmp_path / "cache", load_cards(knowledge_dir())
    queries = ["database overloaded by reads", "Bilder laden langsam", "queue backlog grows"]
    first_model, later_model = _CountingEmbedder(), _CountingEmbedder()
    first = open_knowledge_base(cards=cards, cache=cache, chroma_url="", embedder=first_model)
    hits = first.search_many(queries, k=5)
    assert first_model.texts[-len(queries):] == queries  # asked one by one, then stored
    later = open_knowledge_base(cards=cards, cache=cache, chroma_url="", embedder=later_model)
    assert later.search_many(queries, k=5) == hits
    assert later_model.texts == []  # the index was unchanged and every query was on disk
    assert later._query_vectors == first._query_vectors  # read back to the last bit


def test_a_damaged_stored_vector_is_embedded_again_and_rewritten(tmp_path: Path) -> None:
    from assistant.knowledge.query_vectors import QueryVectorStore

    store = QueryVectorStore(tmp_path)
    store.put("model-a", "q", [0.25, -1.5])
    assert store.get("model-a", "q") == [0.25, -1.5]
    assert store.get("model-b", "q") is None  # another model's vectors are not shared
    path = store._path("model-a", "q")
    path.write_bytes(b"\x00" * 5)  # half a float: the file of an interrupted writer
    assert store.get("model-a", "q") is None
    store.put("model-a", "q", [1.0])
    assert store.get("model-a", "q") == [1.0]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left
