"""Which other services an environment variable points at: connection strings and host names.

Deployment files wire services together through environment variables far more often than
through `depends_on`: `postgres://db:5432/app`, `REDIS_HOST=redis`, `http://cartservice:7070`,
`productcatalogservice:3550`. Every candidate host is returned; the merge keeps only the ones
that name a service it imported, so a public host name is never mistaken for a component.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from assistant.importers.table import host_env_suffixes

_HOST = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s,;'\"]+")
_HOST_PORT = re.compile(rf"(?<![\w./@-])({_HOST}):\d{{2,5}}\b")
_BARE = re.compile(rf"^{_HOST}$")


def hosts_in(name: str, value: object) -> set[str]:
    """Host names an environment variable's value may name (lower case, first DNS label)."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return set()
    text = str(value)
    found = {urlsplit(url).hostname or "" for url in _URL.findall(text)}
    found |= set(_HOST_PORT.findall(_URL.sub(" ", text)))
    if name.upper().endswith(host_env_suffixes()) and _BARE.match(text.strip()):
        found.add(text.strip())
    return {short_host(host) for host in found if host}


def short_host(host: str) -> str:
    """`cartservice` from `cartservice.default.svc.cluster.local`; ports and case dropped.

    Only cluster-internal names are shortened: `db.example.com` stays whole, so it never
    matches a service called `db`.
    """
    host = host.split(":")[0].lower()
    internal = ".svc" in host or host.endswith(".local")
    return host.split(".")[0] if internal else host
