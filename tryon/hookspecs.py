"""The hooks a tryon plugin can implement (one small module, after simonw/llm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("tryon")
hookimpl = pluggy.HookimplMarker("tryon")


@hookspec
def register_generators(register: Callable[..., None]) -> None:
    """Register image generators: call ``register(generator, aliases=(...))`` once per model."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``tryon`` command line (a click group)."""
