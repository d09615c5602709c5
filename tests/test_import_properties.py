"""Property: whatever compose services look like, the answered draft is a valid intake.

Generated compose files (names with odd characters, known and unknown images, environment
variables naming each other in cycles, replicas, limits) must always give a draft whose YAML
parses back to its own data, whose ids are unique and valid, and which validates once every
question takes its placeholder: the importer never writes an intake the loader refuses.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assistant  # noqa: F401 - registers the catalogue's size checks with the loader
from assistant.importers.model import ImportProblem
from assistant.importers.run import import_paths
from assistant.intake.drafts import assume_answers
from assistant.intake.loading import validate_intake

IMAGES = ["postgres:16", "redis:7", "nginx", "acme/orders:1.2", "rabbitmq", "minio/minio",
          "elasticsearch:8", "ghcr.io/x/frontend", "mongo", "locust", ""]
NAMES = st.text(alphabet="abcXYZ019-_.é ", min_size=1, max_size=50).filter(
    lambda s: s.strip() and not s.strip().startswith(("-", "#", "&", "*", "!", "%", "@")))


@st.composite
def compose_files(draw: st.DrawFn) -> dict:
    names = draw(st.lists(NAMES, min_size=1, max_size=8, unique_by=str.strip))
    services = {}
    for name in names:
        spec: dict = {}
        image = draw(st.sampled_from(IMAGES))
        if image:
            spec["image"] = image
        else:
            spec["build"] = "."
        targets = draw(st.lists(st.sampled_from(names), max_size=3))
        spec["environment"] = [f"X{i}_HOST={t}" for i, t in enumerate(targets)]
        if draw(st.booleans()):
            limits = {"cpus": str(draw(st.floats(0.01, 64))),
                      "memory": f"{draw(st.integers(1, 9999))}M"}
            spec["deploy"] = {"replicas": draw(st.integers(1, 50)),
                              "resources": {"limits": limits}}
        services[name] = spec
    return {"services": services}


@settings(max_examples=40, deadline=timedelta(seconds=10),
          suppress_health_check=[HealthCheck.too_slow])
@given(compose_files())
def test_answered_draft_always_validates(compose: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "compose.yaml"
        path.write_text(yaml.safe_dump(compose), encoding="utf-8")
        try:
            draft = import_paths([path], name="generated")
        except ImportProblem as error:  # only "no components" (every image skipped) is allowed
            assert "no components found" in str(error)
            return
    text = draft.text()
    data = yaml.safe_load(text)
    assert data == draft.data
    ids = [c["id"] for c in data["components"]]
    assert len(ids) == len(set(ids))
    validate_intake(Path("draft.yaml"), assume_answers(data), {})
