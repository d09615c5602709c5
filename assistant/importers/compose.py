"""docker-compose files (the Compose specification): one component per service.

Read: image (kind and technology from the data table), `deploy.replicas` / `scale`, resource
limits (else reservations), `depends_on`, `links`, environment connection strings, named and
bind volumes (local storage on the service), health checks, ports and networks (as notes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.importers.hosts import hosts_in
from assistant.importers.model import Found, ImportProblem, Origin, Skipped, SourceRead
from assistant.importers.quantities import cpu_vcpu, memory_gb
from assistant.importers.table import classify_image
from assistant.importers.yamlnodes import child, dig, documents, key_line, line_of

COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


class ComposeReader:
    """The Compose specification's `services` mapping."""

    format = "docker-compose"

    def claims(self, path: Path, text: str) -> bool:
        """A compose file by name, or a YAML file with `services:` and no `apiVersion:`."""
        name = path.name.lower()
        if name in COMPOSE_NAMES or name.startswith(("docker-compose.", "compose.")):
            return True
        return path.suffix.lower() in (".yaml", ".yml") and text.lstrip().startswith(
            "services:") and "apiVersion:" not in text

    def read(self, path: Path, text: str) -> SourceRead:
        """Read every service of the file."""
        docs = documents(path, text)
        if len(docs) != 1 or not isinstance(docs[0][0], dict):
            raise ImportProblem(str(path), "expected one compose document (a mapping)")
        data, node = docs[0]
        services = data.get("services")
        if not isinstance(services, dict) or not services:
            raise ImportProblem(str(path), "expected a 'services' mapping with at least one "
                                "service", key_line(node, "services"))
        read = SourceRead(self.format, path)
        services_node = child(node, "services")
        for name, spec in services.items():
            line = key_line(services_node, str(name)) or line_of(node)
            origin = Origin(str(path), line)
            if not isinstance(spec, dict):
                raise ImportProblem(str(path), f"service '{name}': expected a mapping", line)
            _read_service(read, str(name), spec, origin)
        return read


def _read_service(read: SourceRead, name: str, spec: dict[str, Any], origin: Origin) -> None:
    image = str(spec.get("image") or "")
    found_kind = classify_image(image or name)
    if found_kind.skip:
        read.skipped.append(Skipped(name, origin, found_kind.skip))
        return
    technology = found_kind.technology if image else f"{found_kind.technology} (built here)"
    found = Found(name=name, kind=found_kind.kind, technology=technology, origin=origin,
                  kind_from_table=found_kind.from_table)
    if image:
        found.notes.append(f"image {image}")
    found.aliases |= {name, *(str(spec[k]) for k in ("container_name", "hostname") if k in spec)}
    _replicas(found, spec)
    _resources(found, spec)
    _dependencies(found, spec)
    _volumes(found, spec)
    found.health_checks = isinstance(spec.get("healthcheck"), dict) and not dig(
        spec, "healthcheck", "disable")
    if spec.get("ports"):
        found.notes.append("published ports " + ", ".join(str(p) for p in spec["ports"]))
    networks = spec.get("networks") or []
    if networks:
        found.notes.append("networks " + ", ".join(str(n) for n in networks))
    read.components.append(found)


def _replicas(found: Found, spec: dict[str, Any]) -> None:
    replicas = dig(spec, "deploy", "replicas") or spec.get("scale")
    if isinstance(replicas, int) and replicas >= 1:
        found.instances = replicas


def _resources(found: Found, spec: dict[str, Any]) -> None:
    for level in ("limits", "reservations"):
        given = dig(spec, "deploy", "resources", level) or {}
        if not isinstance(given, dict):
            continue
        vcpu = cpu_vcpu(given["cpus"]) if "cpus" in given else None
        memory = memory_gb(given["memory"], compose=True) if "memory" in given else None
        if vcpu or memory:
            found.vcpu, found.memory_gb, found.resources_from = vcpu, memory, level
            return


def _dependencies(found: Found, spec: dict[str, Any]) -> None:
    depends = spec.get("depends_on") or []
    found.wants |= {str(d) for d in (depends if isinstance(depends, list) else depends.keys())}
    for link in spec.get("links") or []:
        found.wants.add(str(link).split(":")[0])
    environment = spec.get("environment") or {}
    pairs = environment.items() if isinstance(environment, dict) else (
        str(item).partition("=")[::2] for item in environment)
    for key, value in pairs:
        found.wants |= hosts_in(str(key), value)


def _volumes(found: Found, spec: dict[str, Any]) -> None:
    mounts = [v for v in spec.get("volumes") or [] if _is_persistent(v)]
    if mounts:
        found.local_storage = True
        found.notes.append("local volumes " + ", ".join(_mount_text(v) for v in mounts))


def _is_persistent(volume: object) -> bool:
    """A named or bind volume (not tmpfs); short syntax `name:/path` or long syntax."""
    if isinstance(volume, dict):
        return volume.get("type", "volume") in ("volume", "bind")
    return ":" in str(volume)


def _mount_text(volume: object) -> str:
    if isinstance(volume, dict):
        return f"{volume.get('source', '')}:{volume.get('target', '')}"
    return str(volume)

