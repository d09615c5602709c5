"""Terraform resources -> components, shared by the HCL and the `terraform show -json` readers.

The table (`data/kinds.yaml`) says what each resource type is: a component (an instance, an
Auto Scaling group, a load balancer, RDS or Aurora, ElastiCache, S3, CloudFront, SQS), a part of
one (a launch template gives its group's instance type; listeners, target groups and
attachments join a load balancer to its targets), or not a component (network, IAM, config),
listed with the reason. A type the table lacks is listed as unknown, never dropped.

Dependencies: two components are joined when one references the other, directly or through
parts only; the edge points from the tier nearer the user inward (lb -> app -> db).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.importers.model import Found, Origin, Skipped, SourceRead
from assistant.importers.table import resource_row, table

REFERENCE = re.compile(r"\b((?:aws|google|azurerm)_[a-z0-9_]+)\.([A-Za-z0-9_-]+)")
TIER = {"cdn": 0, "lb": 1, "web": 2, "app": 3, "worker": 3, "queue": 4, "cache": 5,
        "search": 5, "db": 6, "storage": 6}


@dataclass
class Resource:
    """One Terraform resource: type, name, its attribute values and what it references."""

    type: str
    name: str
    values: dict[str, Any]
    origin: Origin
    refs: set[str] = field(default_factory=set)  # "type.name" of resources it references

    @property
    def key(self) -> str:
        """`type.name`, the way other resources reference it."""
        return f"{self.type}.{self.name}"


def references(value: Any) -> set[str]:
    """Every `type.name` a value's expressions mention."""
    if isinstance(value, dict):
        return set().union(*(references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(references(v) for v in value)) if value else set()
    return {f"{t}.{n}" for t, n in REFERENCE.findall(value)} if isinstance(value, str) else set()


def is_expression(value: Any) -> bool:
    """Whether a value is an unresolved expression (`${var.count}`), not a literal."""
    return isinstance(value, str) and "${" in value


def read_resources(read: SourceRead, resources: list[Resource]) -> None:
    """Turn resources into components, parts and listed skips, then join dependencies."""
    by_key = {r.key: r for r in resources}
    found: dict[str, Found] = {}
    for resource in resources:
        row = resource_row(resource.type)
        if row is None:
            read.skipped.append(Skipped(resource.key, resource.origin, "unknown resource type: "
                                        "not in the importer's table (importers/data/kinds.yaml)"))
        elif row["role"] == "ignore":
            read.skipped.append(Skipped(resource.key, resource.origin, row["reason"]))
        elif row["role"] == "component":
            found[resource.key] = _component(resource, row, by_key)
    _replicas_into_primaries(read, found, by_key)
    _aurora_instances(found, resources)
    for key, component in found.items():
        component.wants |= _joined(key, by_key, found)
    names = [c.name for c in found.values()]
    for component in found.values():  # `aws_lb.web` and `aws_autoscaling_group.web`
        if names.count(component.name) > 1:
            component.name = f"{component.name}-{component.kind}"
    read.components.extend(found.values())


def _component(resource: Resource, row: dict[str, Any], by_key: dict[str, Resource]) -> Found:
    values = resource.values
    engine = " ".join(str(values[k]) for k in ("engine", "engine_version")
                      if k in values and not is_expression(values[k]))
    found = Found(name=resource.name, kind=row["kind"], origin=resource.origin,
                  technology=f"{row['technology']} {engine}".strip(),
                  managed=bool(row.get("managed", False)), aliases={resource.key})
    found.size = _size(resource, row, by_key)
    _instances(found, resource)
    if resource.type == "aws_autoscaling_group":
        found.autoscaling = True
        found.health_checks = values.get("health_check_type") == "ELB"
    if values.get("multi_az") is True:
        found.multi_az = True
    if resource.type == "aws_elasticache_replication_group" and values.get(
            "automatic_failover_enabled") is True:
        found.multi_az = True
    return found


def _size(resource: Resource, row: dict[str, Any], by_key: dict[str, Resource]) -> str | None:
    """The instance size, also through a launch configuration or template it references."""
    attr = row.get("size_attr")
    holders = [resource] + [by_key[r] for r in sorted(resource.refs) if r in by_key and
                            by_key[r].type in ("aws_launch_configuration", "aws_launch_template")]
    for holder in holders:
        value = holder.values.get(attr or "instance_type")
        if isinstance(value, str) and not is_expression(value):
            return value
    return None


def _instances(found: Found, resource: Resource) -> None:
    values = resource.values
    for attr in table()["instance_attrs"]:
        if attr not in values:
            continue
        value = values[attr]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            found.instances = value
        else:
            found.notes.append(f"{attr} is an expression ({value}); instances not known")
            found.instances_unknown = True
        break
    if resource.type == "aws_autoscaling_group":
        found.notes.append(f"Auto Scaling group: min {values.get('min_size', '?')}, desired "
                           f"{values.get('desired_capacity', '?')}, max "
                           f"{values.get('max_size', '?')}")


def _replicas_into_primaries(read: SourceRead, found: dict[str, Found],
                             by_key: dict[str, Resource]) -> None:
    """An RDS instance with `replicate_source_db` is a read replica of its primary."""
    for key in list(found):
        primary_key = _replica_source(by_key[key], found, by_key)
        if primary_key is None:
            continue
        primary = found[primary_key]
        primary.replicas += found[key].instances
        primary.notes.append(f"read replica {key} ({found[key].origin})")
        read.skipped.append(Skipped(key, found[key].origin, f"read replica of {primary.name}: "
                                    "counted in its replicas"))
        del found[key]


def _replica_source(resource: Resource, found: dict[str, Found],
                    by_key: dict[str, Resource]) -> str | None:
    """The primary a replica names: by reference (HCL), else by identifier (plan values)."""
    source = resource.values.get("replicate_source_db")
    if not source:
        return None
    referenced = sorted(references(source) & found.keys()) or sorted(
        k for k in resource.refs & found.keys() if k != resource.key)
    if referenced:
        return referenced[0]
    return next((k for k in found if k != resource.key
                 and by_key[k].values.get("identifier") == source), None)


def _aurora_instances(found: dict[str, Found], resources: list[Resource]) -> None:
    """Aurora: the cluster's instances give its size; one writer, the others read replicas."""
    counts: dict[str, int] = {}
    for resource in resources:
        cluster_key = next((r for r in sorted(resource.refs) if r in found), None)
        if resource.type != "aws_rds_cluster_instance" or cluster_key is None:
            continue
        count = resource.values.get("count", 1)
        count = count if isinstance(count, int) and count >= 1 else 1
        counts[cluster_key] = counts.get(cluster_key, 0) + count
        cluster = found[cluster_key]
        cluster.notes.append(f"{count} cluster instance(s) {resource.key} ({resource.origin})")
        size = resource.values.get("instance_class")
        if isinstance(size, str) and not is_expression(size):
            cluster.size = size
    for cluster_key, count in counts.items():
        found[cluster_key].replicas = count - 1


def _joined(key: str, by_key: dict[str, Resource], found: dict[str, Found]) -> set[str]:
    """Components reachable from `key` through references via parts only, pointing inward."""
    neighbours = _undirected(by_key)
    reached: set[str] = set()
    pending, seen = [key], {key}
    while pending:
        for other in neighbours.get(pending.pop(), set()) - seen:
            seen.add(other)
            if other in found:
                reached.add(other)
            elif _is_part(by_key[other].type):
                pending.append(other)
    here = TIER.get(found[key].kind, 3)
    return {other for other in reached if TIER.get(found[other].kind, 3) > here}


def _undirected(by_key: dict[str, Resource]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for resource in by_key.values():
        for ref in resource.refs & by_key.keys():
            edges.setdefault(resource.key, set()).add(ref)
            edges.setdefault(ref, set()).add(resource.key)
    return edges


def _is_part(resource_type: str) -> bool:
    row = resource_row(resource_type)
    return row is not None and row["role"] == "part"
