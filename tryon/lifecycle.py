"""A model's lifecycle on a given day: effective status, retirement checks and "retiring soon".

A plugin declares :class:`~tryon.capabilities.Lifecycle` data (status, ``deprecated_on``,
``shutdown_on``, successors); this module turns it into what the router enforces:

- a model whose ``shutdown_on`` has passed is **retired**: the router refuses it before
  anything is sent (:class:`~tryon.errors.ModelRetiredError`, naming the successors), unless
  the caller says that the deployment in use still serves it (:class:`RetiredPolicy`);
- a model whose ``deprecated_on`` has passed is **deprecated**: it works, and warns once.

"Today" is the UTC date, read through a clock that tests (and ``Router(today=...)``) replace.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable

import attrs

from tryon.capabilities import Lifecycle
from tryon.errors import InvalidOptionError, Problem

__all__ = [
    "SERVES_RETIRED_ENV",
    "Clock",
    "RetiredPolicy",
    "parse_horizon",
    "retiring_by",
    "status_on",
    "today",
]

Clock = Callable[[], dt.date]
"""Returns "today" (the router's lifecycle clock)."""

SERVES_RETIRED_ENV = "TRYON_SERVES_RETIRED"
"""Comma-separated providers or model ids whose deployment still serves retired models."""


def today() -> dt.date:
    """Today's date in UTC (lifecycle dates are calendar days, not local times)."""
    return dt.datetime.now(dt.UTC).date()


def status_on(life: Lifecycle, day: dt.date) -> str:
    """The status of a model with *life* on *day*: the declared one, moved on by its dates.

    Past ``shutdown_on`` a model is ``retired``; past ``deprecated_on`` (and not retired) it is
    ``deprecated``; a model declared ``retired`` stays retired whatever its dates say.
    """
    if life.status == "retired" or (life.shutdown_on is not None and day >= life.shutdown_on):
        return "retired"
    if life.deprecated_on is not None and day >= life.deprecated_on:
        return "deprecated"
    return life.status


def describe_on(life: Lifecycle, model: str, day: dt.date) -> str:
    """One sentence on *model*'s lifecycle on *day*, with its dates and successors."""
    status = status_on(life, day)
    if status == "active" and life.shutdown_on is None and life.deprecated_on is None:
        return f"{model} is active"
    parts = [f"{model} is {status}"]
    if life.deprecated_on is not None and status != "retired":
        parts.append(f"deprecated {'since' if day >= life.deprecated_on else 'from'} {life.deprecated_on}")
    if life.shutdown_on is not None:
        verb = "shut down on" if day >= life.shutdown_on else "shuts down on"
        parts.append(f"{verb} {life.shutdown_on}")
    text = parts[0] + (": " + ", ".join(parts[1:]) if len(parts) > 1 else "")
    if life.successors:
        text += f"; use {' or '.join(life.successors)} instead"
    return text + (f" ({life.note})" if life.note else "")


_HORIZON = re.compile(r"^\s*(\d{1,5})\s*([dw])\s*$", re.IGNORECASE)


def parse_horizon(value: str | int | dt.date, *, day: dt.date | None = None) -> dt.date:
    """The last day of a "retiring within" window: ``90d``, ``2w``, an ISO date, or whole days.

    Raises :class:`~tryon.errors.InvalidOptionError` naming the accepted forms.
    """
    start = day or today()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return start + dt.timedelta(days=value)
    if isinstance(value, str):
        match = _HORIZON.match(value)
        if match:
            count = int(match.group(1))
            return start + dt.timedelta(days=count * (7 if match.group(2).lower() == "w" else 1))
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidOptionError([Problem("retiring", value, f"retiring={value!r} is not a window such as "
                                                         "90d, 30d, 2w or an ISO date (2027-01-31)")])


def retiring_by(life: Lifecycle, horizon: dt.date, day: dt.date) -> bool:
    """Whether a model goes away between *day* and *horizon* (its shutdown date in that window)."""
    return life.shutdown_on is not None and day <= life.shutdown_on <= horizon


def _names(value: bool | str | Iterable[str] | None) -> bool | frozenset[str]:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return frozenset(n.strip().lower() for n in value.split(",") if n.strip())
    return frozenset(str(n).strip().lower() for n in value)


@attrs.frozen
class RetiredPolicy:
    """Who has said that their deployment still serves retired models.

    Each source is ``True`` (every retired model), a set of model ids or provider names, or
    ``False``: the router (``Router(allow_retired=...)``), the provider setting
    ``serves_retired`` and the :data:`SERVES_RETIRED_ENV` environment variable. A per-call
    ``allow_retired=True`` overrides all of them.
    """

    router: bool | frozenset[str] = attrs.field(default=False, converter=_names)

    @staticmethod
    def _matches(value: bool | frozenset[str], model: str, provider: str) -> bool:
        if isinstance(value, bool):
            return value
        return model.lower() in value or provider.lower() in value

    def allows(self, model: str, provider: str, *, setting: bool | str | Iterable[str] | None = None,
               call: bool | None = None) -> str | None:
        """Why *model* may be sent although retired (``None``: it may not)."""
        if call is not None:
            return "allow_retired=True was passed" if call else None
        if self._matches(self.router, model, provider):
            return "the router was created with allow_retired"
        if self._matches(_names(setting), model, provider):
            return f"the {provider} setting serves_retired says this deployment serves it"
        if self._matches(_names(os.environ.get(SERVES_RETIRED_ENV, "")), model, provider):
            return f"{SERVES_RETIRED_ENV} says this deployment serves it"
        return None
