"""Erlang C and M/M/c against hand-worked textbook values."""

from __future__ import annotations

import math

import pytest

from assistant.capacity.queueing import erlang_b, erlang_c, mmc_response_time


def test_erlang_b_two_servers_one_erlang() -> None:
    # B(2, 1) = (1^2 / 2!) / (1 + 1 + 1/2) = 0.5 / 2.5 = 0.2
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_erlang_c_two_servers_one_erlang() -> None:
    # C(2, 1) = (A^c/c! * c/(c-A)) / (sum_{k<c} A^k/k! + A^c/c! * c/(c-A)) = 1 / 3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_mm1_matches_the_closed_form() -> None:
    # M/M/1: W = 1 / (mu - lambda) = 1 / (10 - 8) = 0.5 s
    estimate = mmc_response_time(1, 8.0, 10.0)
    assert estimate.response_time_ms == pytest.approx(500.0)
    assert estimate.wait_probability == pytest.approx(0.8)


def test_mmc_published_example() -> None:
    # c = 3, lambda = 2, mu = 1 (A = 2): C = 4/9, Wq = C / (c*mu - lambda) = 4/9 s,
    # W = Wq + 1/mu = 1.444 s
    estimate = mmc_response_time(3, 2.0, 1.0)
    assert estimate.wait_probability == pytest.approx(4 / 9)
    assert estimate.response_time_ms == pytest.approx(1000 * (4 / 9 + 1), rel=1e-9)


def test_saturation_is_infinite() -> None:
    estimate = mmc_response_time(2, 5.0, 2.0)
    assert estimate.saturated and math.isinf(estimate.response_time_ms)


def test_more_servers_never_slower() -> None:
    times = [mmc_response_time(c, 15.0, 2.0).response_time_ms for c in range(8, 16)]
    assert times == sorted(times, reverse=True)


def _plain_erlang_b(servers: int, offered_load: float) -> float:
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return blocking


@pytest.mark.parametrize(("servers", "offered"), [
    (10, 5.0), (100, 80.0), (2000, 1900.0), (20000, 19500.0), (20000, 25000.0),
    (5000, 5000.0), (30000, 29990.5), (400, 1000.0), (1000, 400.0)])
def test_erlang_b_shortcut_equals_the_plain_recurrence(servers: int, offered: float) -> None:
    assert erlang_b(servers, offered) == pytest.approx(_plain_erlang_b(servers, offered),
                                                      rel=1e-12, abs=1e-300)


def test_erlang_b_at_fleet_scale_needs_no_pass_over_every_server() -> None:
    """10^8 servers: the plain recurrence takes minutes; the shortcut answers (0 blocking)."""
    assert erlang_b(100_000_000, 70_000_000.0) == 0.0
    assert 0 < erlang_b(100_000_000, 99_990_000.0) < 1e-3
