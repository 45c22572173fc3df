"""Copies of frozen attrs values that are known to be valid, without re-running converters or validators.

``attrs.evolve`` re-runs ``__init__`` (converters, validators, post-init checks); on the
per-call path the router copies values it has just built or checked, so it uses
:func:`replace` instead. The caller passes values already in their final form.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

__all__ = ["replace"]

T = TypeVar("T")
_NAMES: dict[type, tuple[str, ...]] = {}


def replace(value: T, **changes: Any) -> T:
    """A copy of the attrs instance *value* with *changes* set as they are (no conversion, no validation)."""
    cls: Any = type(value)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(a.name for a in attrs.fields(cls))
    copy = object.__new__(cls)
    for name in names:
        object.__setattr__(copy, name, changes[name] if name in changes else getattr(value, name))
    return copy
