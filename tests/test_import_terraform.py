"""Importing Terraform: HashiCorp's learn-terraform-rds and learn-terraform-aws-asg `main.tf`,
unchanged, merged as one system; and `terraform show -json` output (a plan written here by hand
in the documented format, see tests/fixtures/imports/README.md)."""

from __future__ import annotations

from pathlib import Path

import yaml

import assistant
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


def test_learn_examples_components_sizes_and_the_load_balancer_path() -> None:
    _, data = imported("learn-terraform")
    found = components(data)
    assert set(found) == {"terramino-app", "terramino-lb", "education"}
    asg, lb, db = found["terramino-app"], found["terramino-lb"], found["education"]
    assert (asg["kind"], asg["instances"], asg["autoscaling"], asg["health_checks"]) == (
        "app", 1, True, True)  # desired_capacity 1, health_check_type ELB
    assert "min 1, desired 1, max 3" in asg["notes"]
    # aws_lb -> listener -> target group <- autoscaling attachment -> group
    assert lb["kind"] == "lb" and lb["depends_on"] == ["terramino-app"]
    assert (db["kind"], db["size"], db["technology"]) == ("db", "db.t3.micro",
                                                          "AWS RDS postgres 14.1")
    assert db["notes"].startswith("imported from ") and db["notes"].split(";")[0].endswith(
        "rds/main.tf:64")


def test_unknown_size_and_not_components_are_asked_and_listed() -> None:
    draft, data = imported("learn-terraform")
    # t2.micro (the launch configuration's) is not in the catalogue: asked, nearest assumed.
    assert question_fields(data) == set(SYSTEM_ANSWERS) | {"components[0].size"}
    size = components(data)["terramino-app"]["size"]
    assert size["ask"].startswith("Which catalogue size matches t2.micro, the size the files "
                                  "give terramino-app?")
    assert size["assume"] == "t3.micro"
    listed = {s.name for s in draft.skipped}
    assert {"module.vpc", "aws_security_group.rds", "aws_db_subnet_group.education",
            "aws_db_parameter_group.education", "aws_security_group.terramino_lb"} <= listed
    parts = {"aws_lb_listener.terramino", "aws_lb_target_group.terramino",
             "aws_launch_configuration.terramino", "aws_autoscaling_attachment.terramino"}
    assert not parts & listed  # parts of a component, not skipped


def test_learn_examples_answered_review(tmp_path: Path) -> None:
    _, data = imported("learn-terraform")
    answers = {**SYSTEM_ANSWERS, "components[0].size": "t3.micro"}
    path = write(tmp_path / "terramino.yaml", answer(data, answers))
    intake = load_intake(path)
    assert intake.component("terramino-app").size == "t3.micro"
    result = assistant.review(path, Settings.from_env(internal_errors="raise"),
                              use_knowledge_base=False)
    assert {c.id for c in result.intake.components} == set(components(data))


def test_show_json_plan_components_replicas_and_dependencies(tmp_path: Path) -> None:
    draft, data = imported("terraform-show-json")
    found = components(data)
    assert {cid: c["kind"] for cid, c in found.items()} == {
        "assets-cdn": "cdn", "assets-storage": "storage", "shop": "lb", "api": "app",
        "main": "db", "sessions": "cache", "orders": "queue"}
    assert (found["api"]["instances"], found["api"]["size"]) == (2, "m5.large")  # api[0], [1]
    assert found["main"]["data"] == {"replicas": 1, "multi_az": True}
    assert (found["sessions"]["instances"], found["sessions"]["data"]) == (2, {"multi_az": True})
    assert {cid: c.get("depends_on") for cid, c in found.items() if c.get("depends_on")} == {
        "assets-cdn": ["assets-storage"], "shop": ["api"],
        "api": ["main", "orders", "sessions"]}
    reasons = {s.name: s.reason for s in draft.skipped}
    assert reasons["aws_dynamodb_table.carts"].startswith("unknown resource type")
    assert reasons["aws_db_instance.replica"] == "read replica of main: counted in its replicas"
    assert question_fields(data) == set(SYSTEM_ANSWERS)
    path = write(tmp_path / "shop.yaml", answer(data, SYSTEM_ANSWERS))
    result = assistant.review(path, Settings.from_env(internal_errors="raise"),
                              use_knowledge_base=False)
    assert result.intake.component("main").data is not None


# Written here, not taken from a project: the HCL resource types the learn examples lack.
WRITTEN_HERE = """\
resource "aws_instance" "web" {
  count         = var.web_count
  instance_type = "m5.xlarge"
  user_data     = templatefile("boot.sh", { db = aws_rds_cluster.orders.endpoint,
                                            cache = aws_elasticache_cluster.cache.cache_nodes,
                                            queue = aws_sqs_queue.jobs.url })
}

resource "aws_rds_cluster" "orders" {
  engine         = "aurora-postgresql"
  engine_version = "15.4"
  master_password = var.secret_password
}

resource "aws_rds_cluster_instance" "orders" {
  count              = 3
  cluster_identifier = aws_rds_cluster.orders.id
  instance_class     = "db.r6g.xlarge"
}

resource "aws_elasticache_cluster" "cache" {
  engine          = "memcached"
  node_type       = "cache.t3.small"
  num_cache_nodes = 2
}

resource "aws_sqs_queue" "jobs" {}

resource "aws_s3_bucket" "media" {}

resource "aws_cloudfront_distribution" "media" {
  origin {
    domain_name = aws_s3_bucket.media.bucket_regional_domain_name
  }
}

resource "aws_lambda_function" "thumbnails" {
  function_name = "thumbnails"
}
"""


def test_hcl_aurora_elasticache_cdn_queue_counts_and_unknown_types(tmp_path: Path) -> None:
    from assistant.importers.run import import_paths

    path = tmp_path / "main.tf"
    path.write_text(WRITTEN_HERE, encoding="utf-8")
    draft = import_paths([path])
    data = yaml.safe_load(draft.text())
    found = components(data)
    assert set(found) == {"web", "orders", "cache", "jobs", "media-storage", "media-cdn"}
    orders = found["orders"]  # 3 cluster instances: one writer, two readers
    assert (orders["kind"], orders["size"], orders["data"]) == ("db", "db.r6g.xlarge",
                                                                {"replicas": 2})
    assert orders["technology"] == "AWS Aurora aurora-postgresql 15.4"
    assert (found["cache"]["instances"], found["cache"]["size"]) == (2, "cache.t3.small")
    assert found["web"]["depends_on"] == ["cache", "jobs", "orders"]
    assert found["media-cdn"]["depends_on"] == ["media-storage"]
    # `count = var.web_count` cannot be evaluated: asked, not guessed.
    web_index = [c["id"] for c in data["components"]].index("web")
    assert f"components[{web_index}].instances" in question_fields(data)
    assert {s.name: s.reason for s in draft.skipped}["aws_lambda_function.thumbnails"] \
        .startswith("unknown resource type")
    assert "var.secret_password" not in draft.text()
    lines = WRITTEN_HERE.splitlines()
    for component in data["components"]:
        line = int(component["notes"].split(";")[0].rsplit(":", 1)[1])
        assert lines[line - 1].startswith("resource "), component["id"]
