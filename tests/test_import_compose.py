"""Importing docker-compose files: awesome-compose's Nextcloud + Redis + MariaDB sample, unchanged,
and the Compose features that sample does not use, in a small file written here (labelled)."""

from __future__ import annotations

from pathlib import Path

import yaml

import assistant
from assistant.importers.run import import_paths
from assistant.intake.loading import load_intake
from assistant.settings import Settings
from tests.import_helpers import (
    SYSTEM_ANSWERS,
    answer,
    components,
    imported,
    question_fields,
    write,
)

# Written here, not taken from a project: the Compose keys the public sample lacks.
WRITTEN_HERE = """\
services:
  proxy:
    image: nginx:1.27
    ports: ["443:443"]
    links: ["api:backend"]
  api:
    build: ./api
    deploy:
      replicas: 3
      resources:
        limits: {cpus: "1.5", memory: 3g}
    depends_on:
      queue: {condition: service_started}
    environment:
      DATABASE_URL: postgres://app:secret@pg:5432/shop
      CACHE_ADDR: memcached:11211
      PAYMENTS_URL: https://api.payments.example.com/v1
    healthcheck: {test: ["CMD", "true"]}
    volumes: [{type: tmpfs, target: /tmp}]
  pg:
    image: postgres:16
    deploy: {resources: {reservations: {cpus: "2", memory: 8G}}}
    volumes: ["pgdata:/var/lib/postgresql/data"]
  memcached:
    image: memcached:1.6
  queue:
    image: rabbitmq:3-management
  admin:
    image: dpage/pgadmin4
volumes: {pgdata: {}}
"""


def test_nextcloud_sample_components_dependencies_and_storage() -> None:
    _, data = imported("awesome-compose")
    found = components(data)
    assert {cid: (c["kind"], c["technology"], c["instances"]) for cid, c in found.items()} == {
        "nc": ("web", "Web application (nextcloud)", 1), "redis": ("cache", "Redis", 1),
        "db": ("db", "MariaDB", 1)}
    assert found["nc"]["depends_on"] == ["db", "redis"]  # REDIS_HOST=redis, MYSQL_HOST=db
    assert "depends_on" not in found["db"] and "depends_on" not in found["redis"]
    assert found["nc"]["file_storage"] == "local"  # nc_data:/var/www/html
    assert "local volumes db_data:/var/lib/mysql" in found["db"]["notes"]
    assert "networks redisnet, dbnet" in found["nc"]["notes"]
    lines = {cid: c["notes"].split(";")[0].rsplit(":", 1)[1] for cid, c in found.items()}
    assert lines == {"nc": "2", "redis": "18", "db": "25"}  # the service keys in compose.yaml


def test_nextcloud_questions_then_answers_give_a_review(tmp_path: Path) -> None:
    _, data = imported("awesome-compose")
    # The sample grants no CPU or memory, so each service's size is asked too.
    sizes = {f"components[{i}].size": size for i, size in enumerate(
        ["m5.large", "cache.t3.medium", "db.t3.medium"])}
    assert question_fields(data) == set(SYSTEM_ANSWERS) | set(sizes)
    assert [c["size"]["assume"] for c in data["components"]] == [
        "t3.medium", "cache.r6g.large", "db.r6g.large"]  # the catalogue's defaults per kind
    path = write(tmp_path / "nextcloud.yaml", answer(data, {**SYSTEM_ANSWERS, **sizes}))
    assert load_intake(path).constraints.budget_per_month is not None
    result = assistant.review(path, Settings.from_env(internal_errors="raise"),
                              use_knowledge_base=False)
    assert result.capacity.horizons[0].users == 2000  # the answer, not the placeholder 500
    assert [(c.id, c.size) for c in result.intake.components] == [
        ("nc", "m5.large"), ("redis", "cache.t3.medium"), ("db", "db.t3.medium")]


def test_replicas_limits_links_urls_and_skips(tmp_path: Path) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_text(WRITTEN_HERE, encoding="utf-8")
    draft = import_paths([path])
    found = components(yaml.safe_load(draft.text()))
    assert set(found) == {"proxy", "api", "pg", "memcached", "queue"}
    api = found["api"]
    assert api["instances"] == 3 and api["health_checks"] is True
    assert api["capacity"] == {"vcpu": 1.5, "memory_gb": 3.0}  # Compose's g is 1024^3 bytes
    assert api["size"] == "t4g.medium"  # cheapest catalogue size with >= 1.5 vCPU and 3 GB
    assert api["depends_on"] == ["memcached", "pg", "queue"]
    assert "api.payments.example.com" in api["notes"]  # external: a note, not a component
    assert "file_storage" not in api  # tmpfs is not storage
    assert found["proxy"]["kind"] == "lb" and found["proxy"]["depends_on"] == ["api"]
    assert found["pg"]["capacity"] == {"vcpu": 2.0, "memory_gb": 8.0}  # reservations
    assert any("reservations" in c for c in draft.comments["pg"])
    assert (found["queue"]["kind"], found["memcached"]["kind"]) == ("queue", "cache")
    assert "size" not in found["queue"] and "size" not in found["proxy"]  # managed kinds
    assert found["memcached"]["size"]["ask"].startswith(
        "Which instance size (catalogue name) does memcached run on? The files grant no CPU")
    assert [s.name for s in draft.skipped] == ["admin"]
    assert "secret" not in draft.text()  # only host names leave environment variables


def test_an_override_file_joins_its_service_instead_of_duplicating_it(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: nginx\n  api:\n    image: acme/api\n", encoding="utf-8")
    (tmp_path / "docker-compose.override.yml").write_text(
        "services:\n  api:\n    deploy: {replicas: 4}\n    environment: [REDIS_HOST=web]\n",
        encoding="utf-8")
    found = components(yaml.safe_load(import_paths([tmp_path]).text()))
    assert set(found) == {"web", "api"}
    assert found["api"]["instances"] == 4 and found["api"]["depends_on"] == ["web"]
    assert "also in " in found["api"]["notes"] and "override.yml:2" in found["api"]["notes"]
