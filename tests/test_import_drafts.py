"""Draft markers, the Kubernetes objects the public demo lacks, and bad input to the importer.

The manifests and compose files here are written for these tests (labelled as such), each
small enough to read beside its assertions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import assistant
from assistant.cli.app import app
from assistant.importers.hosts import hosts_in
from assistant.importers.model import ImportProblem
from assistant.importers.quantities import cpu_vcpu, memory_gb
from assistant.importers.run import import_paths
from assistant.intake.loading import IntakeError, load_intake
from assistant.settings import Settings
from tests.helpers import intake_data
from tests.import_helpers import components, write

runner = CliRunner()

# Written here: the Kubernetes kinds Online Boutique does not use.
MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.4
          env:
            - {name: DB_HOST, value: pg.shop.svc.cluster.local}
          resources: {requests: {cpu: "1", memory: 2Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: pg}}
    spec:
      containers: [{name: pg, image: "postgres:16"}]
  volumeClaimTemplates: [{metadata: {name: data}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {kind: Deployment, name: api}
  minReplicas: 3
  maxReplicas: 12
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 65}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: api}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge}
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: api-svc, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: api-svc}
spec: {selector: {app: api}}
---
apiVersion: v1
kind: Service
metadata: {name: pg}
spec: {selector: {app: pg}}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_autoscaler_budget_ingress_and_statefulset(tmp_path: Path) -> None:
    draft = import_paths([_write(tmp_path, "app.yaml", MANIFESTS)])
    found = components(yaml.safe_load(draft.text()))
    assert set(found) == {"api", "pg", "edge"}
    api = found["api"]
    assert (api["instances"], api["autoscaling"]) == (3, True)  # the HPA's minimum wins
    assert "3-12 replicas, target CPU 65 %" in api["notes"]
    assert "PodDisruptionBudget api: minAvailable 2" in api["notes"]
    assert api["capacity"] == {"vcpu": 1.0, "memory_gb": 2.0}  # requests (no limits)
    assert api["depends_on"] == ["pg"]  # pg.shop.svc.cluster.local
    assert found["edge"]["depends_on"] == ["api"]  # Ingress -> Service api-svc -> Deployment
    assert found["pg"]["kind"] == "db" and "persistent volume claims" in found["pg"]["notes"]


def test_a_draft_question_inside_a_component_and_other_problems_are_listed(
        tmp_path: Path) -> None:
    data = intake_data()
    data["current"]["active_users"] = {"ask": "How many users?", "assume": 100}
    data["components"][0]["size"] = {"ask": "Which size?", "assume": "m5.large"}
    data["components"][0]["kind"] = "mainframe"
    path = write(tmp_path / "draft.yaml", data)
    with pytest.raises(IntakeError) as raised:
        load_intake(path)
    messages = [str(p) for p in raised.value.problems]
    assert sum("open question (import draft)" in m for m in messages) == 2
    assert any("components[0].size: open question" in m for m in messages)
    assert any("components[0].kind" in m and "mainframe" in m for m in messages)


def test_allow_draft_uses_placeholders_and_the_ledger_names_each(tmp_path: Path) -> None:
    data = intake_data()
    data["current"]["active_users"] = {"ask": "How many users?", "assume": 1234}
    path = write(tmp_path / "draft.yaml", data)
    with pytest.raises(IntakeError):
        assistant.review(path, Settings.from_env(internal_errors="raise"),
                         use_knowledge_base=False)
    result = assistant.review(path, Settings.from_env(internal_errors="raise", allow_draft=True),
                              use_knowledge_base=False)
    assert result.intake.current.active_users == 1234
    drafted = [a for a in result.assumptions if "import draft" in a.source]
    assert [(a.settle_with, a.name, a.value) for a in drafted] == [
        ("current.active_users", "How many users?", "1234")]
    assert result.capacity.horizons[0].users == 1234


def test_names_from_files_cannot_inject_yaml(tmp_path: Path) -> None:
    hostile = MANIFESTS + ("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"x\\n"
                           "name: injected\\n# \"\n")
    draft = import_paths([_write(tmp_path, "app.yaml", hostile)], name="shop")
    data = yaml.safe_load(draft.text())
    assert data["name"] == "shop"
    assert any("injected" in s.name for s in draft.skipped)


@pytest.mark.parametrize(("name", "value", "hosts"), [
    ("DATABASE_URL", "postgres://u:p@db:5432/app", {"db"}),
    ("REDIS_HOST", "redis", {"redis"}),
    ("CART_ADDR", "cartservice:7070", {"cartservice"}),
    ("UPSTREAM", "http://cartservice:7070/x", {"cartservice"}),
    ("DB", "pg.default.svc.cluster.local:5432", {"pg"}),
    ("API", "https://db.example.com", {"db.example.com"}),  # never shortened to "db"
    ("PORT", "8080", set()),
    ("MODE", "redis", set()),  # not a host variable
])
def test_hosts_in_connection_strings(name: str, value: str, hosts: set[str]) -> None:
    assert hosts_in(name, value) == hosts


def test_quantities() -> None:
    assert cpu_vcpu("300m") == pytest.approx(0.3) and cpu_vcpu("2") == 2
    assert cpu_vcpu("lots") is None
    assert memory_gb("512Mi") == 0.5 and memory_gb("1G") == pytest.approx(1e9 / 2**30)
    assert memory_gb("512m", compose=True) == 0.5 and memory_gb("huge") is None


def test_a_cycle_is_broken_and_said(tmp_path: Path) -> None:
    text = ("services:\n  a:\n    image: acme/a\n    environment: [B_HOST=b]\n"
            "  b:\n    image: acme/b\n    environment: [A_HOST=a]\n")
    found = components(yaml.safe_load(import_paths([_write(tmp_path, "compose.yaml", text)])
                                      .text()))
    assert found["a"]["depends_on"] == ["b"] and "depends_on" not in found["b"]
    assert "closes the cycle a -> b -> a" in found["b"]["notes"]


def test_malformed_and_unknown_files_are_one_clear_line(tmp_path: Path) -> None:
    broken = _write(tmp_path, "compose.yaml", "services:\n  web: [unclosed\n")
    with pytest.raises(ImportProblem, match=r"compose.yaml:\d+: malformed YAML"):
        import_paths([broken])
    result = runner.invoke(app, ["import", str(broken), "--out", str(tmp_path / "d.yaml")])
    assert result.exit_code == 1 and "malformed YAML" in result.stderr
    assert "Traceback" not in result.output
    notes = _write(tmp_path, "notes.json", "{}")
    with pytest.raises(ImportProblem, match="not a docker-compose file"):
        import_paths([notes])
    with pytest.raises(ImportProblem, match="file or folder not found"):
        import_paths([tmp_path / "missing.yaml"])
    bad_tf = _write(tmp_path, "main.tf", 'resource "aws_instance" {\n')
    with pytest.raises(ImportProblem, match="main.tf.*malformed HCL"):
        import_paths([bad_tf])


def test_bounds_size_and_alias_bombs(tmp_path: Path) -> None:
    big = _write(tmp_path, "compose.yaml", "services:\n  web: {image: nginx}\n" + "#" * 5000)
    with pytest.raises(ImportProblem, match="limit is 1,000 bytes"):
        import_paths([big], max_bytes=1000)
    bomb = "apiVersion: v1\nkind: List\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
        for i in range(6))
    with pytest.raises(ImportProblem, match="expands to more than"):
        import_paths([_write(tmp_path, "bomb.yaml", bomb)])


def test_import_does_not_overwrite_a_draft(tmp_path: Path) -> None:
    out = _write(tmp_path, "intake.yaml", "answered: true\n")
    source = _write(tmp_path, "compose.yaml", "services:\n  web: {image: nginx}\n")
    result = runner.invoke(app, ["import", str(source), "--out", str(out)])
    assert result.exit_code == 2 and out.read_text() == "answered: true\n"
    assert runner.invoke(app, ["import", str(source), "--out", str(out), "--force"]
                         ).exit_code == 0
    assert "components:" in out.read_text()


def test_assumed_answers_survive_a_checkpoint_and_an_intake_without_them_is_unchanged() -> None:
    from assistant.intake.schema import Intake

    data = intake_data()
    plain = Intake.model_validate(data)
    assert "draft_assumed" not in plain.model_dump()  # hashes and reports as before
    data["draft_assumed"] = [{"field": "current.active_users", "question": "How many?",
                              "value": "500"}]
    drafted = Intake.model_validate(data)
    restored = Intake.model_validate(drafted.model_dump())  # what a resumed review reloads
    assert restored.draft_assumed == drafted.draft_assumed


def test_a_component_placeholder_is_ledgered_against_that_component(tmp_path: Path) -> None:
    data = intake_data()
    data["components"][1]["size"] = {"ask": "Which size?", "assume": "m5.large"}
    path = write(tmp_path / "draft.yaml", data)
    result = assistant.review(path, Settings.from_env(internal_errors="raise", allow_draft=True),
                              use_knowledge_base=False)
    drafted = [a for a in result.assumptions if "import draft" in a.source]
    second = data["components"][1]["id"]
    assert [(a.subject, a.components, a.settle_with) for a in drafted] == [
        (second, [second], "components[1].size")]
    assert result.intake.components[1].size == "m5.large"
