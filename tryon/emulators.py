"""Provider emulators registered by plugins, for ``tryon emulator --provider NAME``.

A plugin that ships an emulator of its provider's API (an
:class:`~tryon.testing.server.EmulatorServer` subclass) registers it through the
``register_emulators`` hook, as the first-party OpenAI, FLUX and Gemini plugins do::

    @tryon.hookimpl
    def register_emulators(register):
        register("acme", "tryon_acme.emulator:AcmeEmulator", aliases=("acme-ai",),
                 description="Acme Images API",
                 env={"ACME_BASE_URL": "{base_url}", "ACME_API_KEY": "{key}"})

``tryon emulator --provider acme`` then starts it on 127.0.0.1 and prints the ``export`` line
built from *env*. In Python, :func:`emulators` lists what is registered and :func:`start`
returns a running emulator (use it in a ``with`` block).
"""

from __future__ import annotations

import importlib
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from tryon.testing.server import EmulatorServer

__all__ = ["EMULATOR_KEY", "EmulatorEntry", "emulators", "find", "register", "start"]

#: The key the banner tells clients to use (the emulators accept any key unless told otherwise).
EMULATOR_KEY = "emulator-key"

Factory = Callable[..., "EmulatorServer"]


def _name(value: str) -> str:
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        raise ValueError(f"an emulator name must be a non-empty word, not {value!r}")
    return value.strip().lower()


def _names(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise TypeError("aliases must be a collection of names, not a single string")
    return tuple(_name(v) for v in values)


def _env(values: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(values or {}))


@attrs.frozen
class EmulatorEntry:
    """One registered emulator: its name, how to build it, and how clients find it."""

    name: str = attrs.field(converter=_name)
    factory: Factory | str = attrs.field(repr=False)
    """An ``EmulatorServer`` subclass or callable, or ``"module:attribute"`` naming one."""
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Other names it is found by: a collection of names (a single string is a ``TypeError``,
    not its letters)."""
    description: str = ""
    """The API it emulates, as the banner names it (``"OpenAI Images API"``)."""
    env: Mapping[str, str] = attrs.field(factory=dict, converter=_env, hash=False)
    """Environment variables that point a client at the emulator; values may use ``{url}``,
    ``{base_url}`` and ``{key}``."""
    plugin: str | None = None
    """The plugin whose hook registered it."""

    @factory.validator
    def _check_factory(self, attribute: Any, value: Any) -> None:
        if isinstance(value, str):
            if value.count(":") != 1 or not all(value.split(":")):
                raise ValueError(f"an emulator factory string must be 'module:attribute', not {value!r}")
        elif not callable(value):
            raise TypeError(f"an emulator factory must be callable or 'module:attribute', not {value!r}")

    def resolve(self) -> Factory:
        """The factory itself (imports the module of a ``"module:attribute"`` string)."""
        if not isinstance(self.factory, str):
            return self.factory
        module, attribute = self.factory.split(":")
        found = getattr(importlib.import_module(module), attribute)
        if not callable(found):
            raise TypeError(f"{self.factory} is not callable")
        return found

    def build(self, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0,
              require_key: bool = True, **kwargs: Any) -> EmulatorServer:
        """A new (not yet started) emulator."""
        return self.resolve()(host=host, port=port, latency=latency, require_key=require_key, **kwargs)

    def banner(self, emulator: EmulatorServer, key: str = EMULATOR_KEY) -> list[str]:
        """What ``tryon emulator`` prints: where it listens and the ``export`` line."""
        values = {"url": emulator.url, "base_url": emulator.base_url, "key": key}
        what = self.description or f"{self.name} API"
        lines = [f"{what} emulator listening on {emulator.base_url}"]
        if self.env:
            lines.append("export " + " ".join(f"{k}={v.format(**values)}" for k, v in self.env.items()))
        return lines


_lock = threading.RLock()
_extra: dict[str, EmulatorEntry] = {}


def _collect() -> dict[str, EmulatorEntry]:
    from tryon.plugins import PluginWarning, call_hook, calling_plugin, load_plugins

    found: dict[str, EmulatorEntry] = {}
    skipped: list[str] = []

    def hook_register(name: str, factory: Factory | str, *, aliases: Iterable[str] = (),
                      description: str = "", env: Mapping[str, str] | None = None) -> None:
        plugin = calling_plugin()
        try:
            entry = EmulatorEntry(name, factory, aliases=aliases, description=description, env=env or {},
                                  plugin=plugin)
            _add(found, entry)
        except (TypeError, ValueError) as exc:
            # only this emulator is skipped: the plugin itself loaded and its models stay registered
            skipped.append(f"tryon plugin {plugin!r}: its emulator {name!r} was skipped ({exc}); the plugin's "
                           "models are still registered")

    load_plugins()
    call_hook("register_emulators", register=hook_register)
    for message in skipped:
        warnings.warn(message, PluginWarning, stacklevel=3)
    with _lock:
        for entry in _extra.values():
            _add(found, entry)
    return found


def _add(found: dict[str, EmulatorEntry], entry: EmulatorEntry) -> None:
    taken = {n: e for e in found.values() for n in (e.name, *e.aliases)}
    for name in (entry.name, *entry.aliases):
        if name in taken and taken[name] is not entry:
            raise ValueError(f"emulator name {name!r} of {entry.plugin or 'an application'} is already taken by "
                             f"{taken[name].plugin or 'an application'} ({taken[name].name})")
    found[entry.name] = entry


def register(name: str, factory: Factory | str, *, aliases: Iterable[str] = (), description: str = "",
             env: Mapping[str, str] | None = None) -> EmulatorEntry:
    """Register an emulator from application code (plugins use the ``register_emulators`` hook)."""
    entry = EmulatorEntry(name, factory, aliases=aliases, description=description, env=env or {})
    with _lock:
        _extra[entry.name] = entry
    return entry


def unregister(name: str) -> None:
    """Forget an emulator registered with :func:`register`."""
    with _lock:
        _extra.pop(_name(name), None)


def emulators() -> list[EmulatorEntry]:
    """Every registered emulator, by name (plugins' hooks are called each time)."""
    return sorted(_collect().values(), key=lambda e: e.name)


def find(name: str) -> EmulatorEntry:
    """The emulator registered as *name* or one of its aliases (``LookupError`` naming the known ones)."""
    wanted = _name(name)
    entries = emulators()
    for entry in entries:
        if wanted == entry.name or wanted in entry.aliases:
            return entry
    known = ", ".join(e.name for e in entries) or "none"
    raise LookupError(f"no emulator registered as {name!r}; registered: {known}")


def start(name: str, **kwargs: Any) -> EmulatorServer:
    """Build and start the emulator registered as *name* (keyword arguments go to its factory)."""
    return find(name).build(**kwargs).start()
