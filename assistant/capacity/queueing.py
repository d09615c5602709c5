"""Queueing estimates: M/M/c response time with the Erlang C formula.

Latency grows sharply as a pool of servers nears saturation; a utilisation figure alone hides
that. Each vCPU of a tier is modelled as one server with exponential service times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueEstimate:
    """Mean response time of an M/M/c queue, or saturation."""

    servers: int
    arrival_rate: float
    service_rate: float
    utilisation: float
    wait_probability: float
    response_time_ms: float

    @property
    def saturated(self) -> bool:
        """True when arrivals reach or exceed what the servers can serve."""
        return math.isinf(self.response_time_ms)


def erlang_b(servers: int, offered_load: float) -> float:
    """Return the Erlang B blocking probability by the stable recurrence B(k) = aB/(k + aB).

    The recurrence is O(servers); at the scale of a fleet (10^8 vCPUs) that is minutes, so it
    starts where it still matters and stops where nothing is left:
    - it starts 10 sqrt(a) steps below min(servers, a - 10 sqrt(a)) from the overload limit
      B(k) = 1 - k/a; the recurrence shrinks any error there by k/a per step, so over those
      steps it falls below e^-50 of itself (exact to double precision);
    - once B underflows (far past k = a) every later term is 0.
    Loads under about 100 start at k = 0, as the plain recurrence does.
    """
    if offered_load <= 0:
        return 0.0
    spread = int(10 * math.sqrt(offered_load))
    start = max(0, min(int(offered_load) - spread, servers) - spread)
    blocking = 1.0 if start == 0 else 1.0 - start / offered_load
    for k in range(start + 1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
        if blocking < 1e-300:
            return 0.0
    return blocking


def erlang_c(servers: int, offered_load: float) -> float:
    """Return the probability an arrival waits (Erlang C), from Erlang B."""
    if offered_load >= servers:
        return 1.0
    blocking = erlang_b(servers, offered_load)
    return servers * blocking / (servers - offered_load * (1 - blocking))


def mmc_response_time(servers: int, arrival_rate: float, service_rate: float) -> QueueEstimate:
    """Estimate mean response time W = Wq + 1/mu of an M/M/c queue.

    Args:
        servers: c, the number of parallel servers (vCPUs across instances).
        arrival_rate: lambda, requests per second.
        service_rate: mu, requests per second one server completes.
    """
    offered = arrival_rate / service_rate
    utilisation = offered / servers
    if utilisation >= 1:
        return QueueEstimate(servers, arrival_rate, service_rate, utilisation, 1.0, math.inf)
    waiting = erlang_c(servers, offered)
    wait_s = waiting / (servers * service_rate - arrival_rate)
    response_ms = (wait_s + 1 / service_rate) * 1000
    return QueueEstimate(servers, arrival_rate, service_rate, utilisation, waiting, response_ms)
