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


@hookspec
def register_backends(register: Callable[..., None]) -> None:
    """Serve models declared in a models file (see :mod:`tryon.declared`, docs/models-file.md).

    Call ``register(kind, factory)`` once per backend kind (``"openai"``, ``"replicate"``,
    ``"fal"``, ...). For each valid ``[[models]]`` entry whose ``backend`` is *kind*, the router
    calls ``factory(declared)`` with a :class:`tryon.declared.DeclaredModel` (id, endpoint
    model name, provider, base URL, key variable, capabilities, the backend's ``endpoint``
    table, option wire names) and registers the :class:`~tryon.protocol.ImageGenerator` it
    returns, whose ``model_id`` must be ``declared.id`` and whose ``capabilities`` should be
    ``declared.capabilities``. The factory must not send anything; it raises
    ``declared.error(field, message)`` for an entry it cannot serve (that entry is reported
    with its file and line, the others still load). The first plugin to register a kind wins.
    """


@hookspec
def register_emulators(register: Callable[..., None]) -> None:
    """Register local emulators of a provider's API, served by ``tryon emulator --provider NAME``.

    Call ``register(name, factory, *, aliases=(), description="", env={})`` once per emulator:
    *factory* is an :class:`~tryon.testing.server.EmulatorServer` subclass (or any callable
    taking ``host=``, ``port=``, ``latency=``, ``require_key=`` and returning one), or a
    ``"module:attribute"`` string naming it (imported only when that emulator is served);
    *env* maps the environment variables that point a client at it to their values, with
    ``{url}``, ``{base_url}`` and ``{key}`` filled in. See :mod:`tryon.emulators`.
    """
