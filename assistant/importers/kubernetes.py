"""Kubernetes manifests (multi-document YAML, folders, Kustomize or `helm template` output).

Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet) become components: replicas, the
containers' resource limits (else requests), probes as health checks, environment connection
strings as dependencies, volume claim templates as local storage. Services name the pods their
selector picks (type LoadBalancer adds a load balancer in front); Ingresses are load balancers;
HorizontalPodAutoscalers set autoscaling with min/max and target CPU; PodDisruptionBudgets add
a note. Every other kind is listed in the draft as not imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.importers.hosts import hosts_in
from assistant.importers.model import (
    Autoscaler,
    Found,
    ImportProblem,
    Origin,
    Selector,
    Skipped,
    SourceRead,
)
from assistant.importers.quantities import cpu_vcpu, memory_gb
from assistant.importers.table import classify_image
from assistant.importers.yamlnodes import dig, documents, line_of

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
NOT_COMPONENTS = {
    "ServiceAccount": "identity, not a component", "ConfigMap": "configuration",
    "Secret": "credentials (not read)", "NetworkPolicy": "network rule, not a component",
    "Namespace": "namespace", "Role": "RBAC", "RoleBinding": "RBAC", "ClusterRole": "RBAC",
    "ClusterRoleBinding": "RBAC", "Kustomization": "Kustomize build file (build it with "
    "`kubectl kustomize` and import the output)",
}


class KubernetesReader:
    """Kubernetes objects, one per YAML document (or `kind: List` items)."""

    format = "kubernetes"

    def claims(self, path: Path, text: str) -> bool:
        """A YAML file whose documents carry `apiVersion` and `kind`."""
        return path.suffix.lower() in (".yaml", ".yml") and "apiVersion:" in text and (
            "kind:" in text)

    def read(self, path: Path, text: str) -> SourceRead:
        """Read every object in the file."""
        read = SourceRead(self.format, path)
        for data, node in documents(path, text):
            items = data.get("items") if isinstance(data, dict) and data.get("kind") == "List" \
                else [data]
            for item in items or []:
                if not isinstance(item, dict) or "kind" not in item:
                    raise ImportProblem(str(path), "expected a Kubernetes object with "
                                        "'apiVersion' and 'kind'", line_of(node))
                _read_object(read, item, Origin(str(path), line_of(node)))
        return read


def _read_object(read: SourceRead, obj: dict[str, Any], origin: Origin) -> None:
    kind, name = str(obj["kind"]), str(dig(obj, "metadata", "name") or "")
    if kind in WORKLOADS:
        _workload(read, kind, name, obj, origin)
    elif kind == "Service":
        _service(read, name, obj, origin)
    elif kind == "Ingress":
        _ingress(read, name, obj, origin)
    elif kind == "HorizontalPodAutoscaler":
        _autoscaler(read, obj, origin)
    elif kind == "PodDisruptionBudget":
        _disruption_budget(read, name, obj, origin)
    else:
        reason = NOT_COMPONENTS.get(kind, "a kind the importer does not read")
        read.skipped.append(Skipped(f"{kind} {name}".strip(), origin, reason))


def _workload(read: SourceRead, kind: str, name: str, obj: dict[str, Any],
              origin: Origin) -> None:
    containers = dig(obj, "spec", "template", "spec", "containers") or []
    if not containers:
        raise ImportProblem(origin.file, f"{kind} '{name}': expected spec.template.spec."
                            "containers", origin.line)
    image = str(containers[0].get("image") or "")
    classified = classify_image(image or name)
    if classified.skip:
        read.skipped.append(Skipped(f"{kind} {name}", origin, classified.skip))
        return
    found = Found(name=name, kind=classified.kind, technology=classified.technology,
                  origin=origin, kind_from_table=classified.from_table, aliases={name},
                  labels={str(k): str(v) for k, v in
                          (dig(obj, "spec", "template", "metadata", "labels") or {}).items()})
    found.notes.append(f"{kind}, image {image}")
    replicas = dig(obj, "spec", "replicas")
    found.instances = replicas if isinstance(replicas, int) and replicas >= 1 else 1
    if kind == "DaemonSet":
        found.notes.append("DaemonSet: one pod per node; instances is the node count")
    _pod_resources(found, containers)
    found.health_checks = any("readinessProbe" in c or "livenessProbe" in c for c in containers)
    for container in containers:
        for variable in container.get("env") or []:
            if isinstance(variable, dict):
                found.wants |= hosts_in(str(variable.get("name", "")), variable.get("value"))
    if kind == "StatefulSet" and dig(obj, "spec", "volumeClaimTemplates"):
        found.local_storage = True
        found.notes.append("persistent volume claims per pod")
    read.components.append(found)


def _pod_resources(found: Found, containers: list[dict[str, Any]]) -> None:
    """The pod's CPU and memory: the containers' limits summed, else their requests."""
    for level in ("limits", "requests"):
        values = [dig(c, "resources", level) or {} for c in containers]
        cpus = [cpu_vcpu(v["cpu"]) for v in values if "cpu" in v]
        memories = [memory_gb(v["memory"]) for v in values if "memory" in v]
        if cpus or memories:
            found.vcpu = sum(c for c in cpus if c) or None
            found.memory_gb = sum(m for m in memories if m) or None
            found.resources_from = level
            return


def _service(read: SourceRead, name: str, obj: dict[str, Any], origin: Origin) -> None:
    selector = dig(obj, "spec", "selector") or {}
    if not selector:
        read.skipped.append(Skipped(f"Service {name}", origin, "no selector: it points at "
                                    "nothing the manifests define"))
        return
    read.selectors.append(Selector(
        name, tuple(sorted((str(k), str(v)) for k, v in selector.items())), origin,
        load_balancer=dig(obj, "spec", "type") == "LoadBalancer"))


def _ingress(read: SourceRead, name: str, obj: dict[str, Any], origin: Origin) -> None:
    found = Found(name=name, kind="lb", technology="Kubernetes Ingress", origin=origin,
                  managed=True, aliases={name})
    backends = [dig(obj, "spec", "defaultBackend", "service", "name")]
    for rule in dig(obj, "spec", "rules") or []:
        for path in dig(rule, "http", "paths") or []:  # networking/v1, then the old beta form
            backends.append(dig(path, "backend", "service", "name")
                            or dig(path, "backend", "serviceName"))
    found.wants |= {str(b) for b in backends if b}
    read.components.append(found)


def _autoscaler(read: SourceRead, obj: dict[str, Any], origin: Origin) -> None:
    spec = obj.get("spec") or {}
    cpu = spec.get("targetCPUUtilizationPercentage")
    for metric in spec.get("metrics") or []:
        if dig(metric, "resource", "name") == "cpu":
            cpu = dig(metric, "resource", "target", "averageUtilization") or cpu
    read.autoscalers.append(Autoscaler(
        str(dig(spec, "scaleTargetRef", "name") or ""), int(spec.get("minReplicas") or 1),
        int(spec.get("maxReplicas") or 1), float(cpu) if cpu else None, origin))


def _disruption_budget(read: SourceRead, name: str, obj: dict[str, Any],
                       origin: Origin) -> None:
    spec = obj.get("spec") or {}
    labels = dig(spec, "selector", "matchLabels") or {}
    rule = ", ".join(f"{k} {spec[k]}" for k in ("minAvailable", "maxUnavailable") if k in spec)
    read.selectors.append(Selector(
        name, tuple(sorted((str(k), str(v)) for k, v in labels.items())), origin,
        note=f"PodDisruptionBudget {name}: {rule} ({origin})"))
