"""Turn the intake's growth anchors into demand curves over the months to target.

Users grow geometrically between the anchors the team gives (now, 6 months, 12 months, target).
Request rate and concurrency follow users with an elasticity chosen so the curve hits the team's
own target figure: rps(m) = rps_now * (users(m) / users_now) ** alpha. Data grows with the
yearly data growth rate when given, else in proportion to users.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from assistant.intake.schema import Intake

STEP_MONTHS = 0.05


@dataclass(frozen=True)
class Horizon:
    """A named point in time the report shows a column for."""

    name: str
    month: float


@dataclass(frozen=True)
class GrowthModel:
    """Demand drivers as functions of the month, built from one intake."""

    intake: Intake

    @cached_property
    def user_anchors(self) -> list[tuple[float, float]]:
        """Months and user counts the team gave, sorted, one per month."""
        current, targets = self.intake.current, self.intake.targets
        anchors = {0.0: float(max(current.active_users, 1))}
        if targets.six_month_users:
            anchors[6.0] = float(targets.six_month_users)
        if targets.twelve_month_users:
            anchors[12.0] = float(targets.twelve_month_users)
        anchors[float(targets.target_month)] = float(targets.target_users)
        return sorted(anchors.items())

    @property
    def end_month(self) -> float:
        """The last month the model looks at: the target month."""
        return float(self.intake.targets.target_month)

    @cached_property
    def _users_at(self) -> dict[float, float]:
        """Users already computed per month (the model asks for the same grid months per curve)."""
        return {}

    def users(self, month: float) -> float:
        """Users at a month, geometric between anchors, extrapolated past the last one.

        Memoised per month: every resource curve walks the same month grid, so each month is
        computed once per model instead of once per curve (the same float either way).
        """
        known = self._users_at.get(month)
        if known is None:
            known = self._users_at[month] = self._users(month)
        return known

    def _users(self, month: float) -> float:
        anchors = self.user_anchors
        if len(anchors) == 1:
            return anchors[0][1]
        for (m0, u0), (m1, u1) in zip(anchors, anchors[1:], strict=False):
            if month <= m1 or (m1, u1) == anchors[-1]:
                return u0 * (u1 / u0) ** ((month - m0) / (m1 - m0))
        return anchors[-1][1]

    def user_factor(self, month: float) -> float:
        """Users at a month relative to today."""
        return self.users(month) / self.user_anchors[0][1]

    def _elasticity(self, now: float | None, target: float | None) -> float:
        """Exponent linking a driver to users so it reaches its own target at the target month."""
        end_factor = self.user_factor(self.end_month)
        if not now or not target or end_factor <= 0 or math.isclose(end_factor, 1.0):
            return 1.0
        return math.log(target / now) / math.log(end_factor)

    @cached_property
    def rps_alpha(self) -> float:
        """Elasticity of request rate to users."""
        return self._elasticity(
            self.intake.current.requests_per_second, self.intake.targets.target_requests_per_second
        )

    @cached_property
    def concurrency_alpha(self) -> float:
        """Elasticity of concurrent users to users."""
        return self._elasticity(
            self.intake.current.concurrent_users, self.intake.targets.target_concurrent_users
        )

    def rps_factor(self, month: float) -> float:
        """Request rate at a month relative to today."""
        return self.user_factor(month) ** self.rps_alpha

    def rps(self, month: float) -> float:
        """Peak edge requests per second at a month (average times peak factor)."""
        current = self.intake.current
        return current.requests_per_second * current.peak_factor * self.rps_factor(month)

    def concurrency_factor(self, month: float) -> float:
        """Concurrent users at a month relative to today."""
        return self.user_factor(month) ** self.concurrency_alpha

    def concurrent_users(self, month: float) -> float:
        """Concurrent users at a month (estimated as 10 % of users when not given)."""
        current = self.intake.current
        base = current.concurrent_users or max(current.active_users, 1) * 0.1
        return base * self.concurrency_factor(month)

    def data_factor(self, month: float) -> float:
        """Data volume at a month relative to today."""
        yearly = self.intake.growth.expected_data_growth_pct
        if yearly is None:
            return self.user_factor(month)
        return (1 + yearly / 100) ** (month / 12)

    def horizons(self) -> list[Horizon]:
        """Now, 6 months, 12 months and target; months past the target are dropped."""
        end = self.end_month
        points = [Horizon("now", 0.0)]
        points += [Horizon(name, m) for name, m in (("6m", 6.0), ("12m", 12.0)) if m < end]
        points.append(Horizon("target", end))
        return points

    def months(self) -> list[float]:
        """The grid the breaking-point search walks, from now to the target month."""
        return list(self._grid)

    def on_grid(self, driver: Callable[[float], float]) -> tuple[float, ...]:
        """A driver's value at every grid month, computed once per driver and model.

        Why: every resource curve is driven by one of a few drivers (`rps_factor`,
        `data_factor`, `concurrency_factor`) and its breaking-point search walks the whole
        grid; a review asks ~190 curves, so each driver's ~480 values are computed once
        instead of once per curve (the same floats: the driver is called on the same months).
        Bound methods of this model compare equal, so they share one entry.
        """
        values = self._grid_values.get(driver)
        if values is None:
            values = self._grid_values[driver] = tuple(driver(m) for m in self._grid)
        return values

    @cached_property
    def _grid_values(self) -> dict[Callable[[float], float], tuple[float, ...]]:
        """Each driver's values on the grid, filled by `on_grid`."""
        return {}

    @cached_property
    def _grid(self) -> tuple[float, ...]:
        """The month grid, built once per model (every curve's search walks it)."""
        steps = int(round(self.end_month / STEP_MONTHS))
        return tuple(round(i * STEP_MONTHS, 4) for i in range(steps + 1))
