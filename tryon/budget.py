"""Spending limits: what would cost more than the user allows is refused before it is sent.

:func:`check_estimate` is the rule for one request (``max_cost=`` on ``tryon.generate``/``edit``
and ``--max-cost`` on the CLI). :class:`Budget` is the rule for many requests sharing one limit (a
batch): each call *reserves* its estimate before it starts, so concurrent workers can never
overshoot, and *settles* with the actual cost when the answer arrives. Costs are
:class:`~tryon.results.Estimate.usd` values; a model without price data (``usd is None``) is
refused under a budget unless the caller opts in with ``allow_unpriced=True``.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING

import attrs

from tryon.errors import BudgetExceededError, InvalidOptionError, Problem

if TYPE_CHECKING:
    from tryon.results import Estimate

__all__ = ["Budget", "Reservation", "check_estimate", "check_max_cost"]


def check_max_cost(max_cost: object, option: str = "max_cost") -> float | None:
    """*max_cost* as a float (``None`` = no limit); a negative, non-finite or non-numeric value is refused."""
    if max_cost is None:
        return None
    if isinstance(max_cost, bool) or not isinstance(max_cost, (int, float)) or not math.isfinite(max_cost) \
            or max_cost < 0:
        raise InvalidOptionError([Problem(option, max_cost, f"{option} must be a number of US dollars, 0 or more "
                                                            "(e.g. 0.50)")])
    return float(max_cost)


def _usd(value: float) -> str:
    return f"${value:.4f}"


def check_estimate(estimate: Estimate, max_cost: float | None, *, allow_unpriced: bool = False) -> None:
    """Raise :class:`~tryon.errors.BudgetExceededError` when *estimate* does not fit *max_cost*."""
    if max_cost is None:
        return
    if estimate.usd is None:
        if allow_unpriced:
            return
        raise BudgetExceededError(
            f"{estimate.model} has no price data ({estimate.basis or 'cost unknown'}), so its cost cannot be held "
            f"to max_cost={_usd(max_cost)}; pass allow_unpriced=True to send it anyway, or choose a priced model",
            estimate_usd=None, max_cost=max_cost)
    if estimate.usd > max_cost:
        raise BudgetExceededError(
            f"{estimate.model}: the estimated cost {_usd(estimate.usd)} for {estimate.n} image(s) exceeds "
            f"max_cost={_usd(max_cost)}; nothing was sent (raise the limit, lower n, or pick a cheaper quality "
            "or model)", estimate_usd=estimate.usd, max_cost=max_cost)


@attrs.frozen
class Reservation:
    """The amount held against a :class:`Budget` for one call (``unpriced``: its cost is unknown)."""

    usd: float
    unpriced: bool = False


class Budget:
    """A spending limit shared by concurrent calls (thread-safe).

    ``reserve(estimate_usd)`` holds the estimate before a call starts and returns ``None`` when
    holding it would cross the limit (the call must not start); ``settle(reservation, actual)``
    replaces the hold with the actual cost (the estimate when the provider reported none).
    """

    def __init__(self, max_cost: float, *, allow_unpriced: bool = False) -> None:
        checked = check_max_cost(max_cost)
        assert checked is not None
        self.max_cost = checked
        self.allow_unpriced = allow_unpriced
        self._lock = threading.Lock()
        self._spent = 0.0
        self._held = 0.0
        self.unpriced_calls = 0

    @property
    def spent(self) -> float:
        """The settled cost so far."""
        with self._lock:
            return self._spent

    @property
    def held(self) -> float:
        """Reserved for calls still running."""
        with self._lock:
            return self._held

    @property
    def remaining(self) -> float:
        """What is neither spent nor held."""
        with self._lock:
            return max(0.0, self.max_cost - self._spent - self._held)

    def reserve(self, estimate_usd: float | None) -> Reservation | None:
        """Hold *estimate_usd*; ``None`` when it does not fit (or is unknown and unpriced calls are not allowed)."""
        with self._lock:
            if estimate_usd is None:
                if not self.allow_unpriced:
                    return None
                self.unpriced_calls += 1
                return Reservation(0.0, unpriced=True)
            if self._spent + self._held + estimate_usd > self.max_cost + 1e-12:
                return None
            self._held += estimate_usd
            return Reservation(estimate_usd)

    def settle(self, reservation: Reservation, actual_usd: float | None) -> None:
        """Release *reservation* and book *actual_usd* (the reserved estimate when ``None``)."""
        with self._lock:
            self._held = max(0.0, self._held - reservation.usd)
            self._spent += reservation.usd if actual_usd is None else actual_usd
