"""Plugin loading through pluggy and the ``tryon`` entry-point group.

Each entry point is loaded and registered **in isolation**: one that fails to import or to
register is reported (a :class:`PluginWarning`, and listed with its error by
:func:`plugin_report`) while the rest still load. ``TRYON_PLUGINS`` restricts which entry
points load: unset = all, empty = none, else a comma-separated list of entry-point or
distribution names.
"""

from __future__ import annotations

import contextvars
import importlib.metadata as md
import os
import threading
import traceback
import warnings
from typing import Any

import attrs
import pluggy

from tryon import hookspecs

__all__ = ["ENV_VAR", "PluginInfo", "PluginWarning", "call_hook", "forget_failures", "get_plugin_manager",
           "load_plugins", "plugin_report", "report_failure"]

ENV_VAR = "TRYON_PLUGINS"
GROUP = "tryon"


class PluginWarning(UserWarning):
    """A plugin could not be loaded or failed while registering."""


@attrs.frozen
class PluginInfo:
    """One plugin as the ``plugins`` query reports it."""

    name: str
    status: str  # "loaded" | "failed" | "disabled"
    module: str | None = None
    distribution: str | None = None
    version: str | None = None
    error: str | None = None
    hooks: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in attrs.asdict(self).items() if v not in (None, ())}


_lock = threading.RLock()
_pm: pluggy.PluginManager | None = None
_loaded = False
_report: dict[str, PluginInfo] = {}
_calling: contextvars.ContextVar[str | None] = contextvars.ContextVar("tryon_calling_plugin", default=None)


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (plugins are loaded on first use of the router)."""
    global _pm
    with _lock:
        if _pm is None:
            _pm = pluggy.PluginManager("tryon")
            _pm.add_hookspecs(hookspecs)
        return _pm


def _wanted() -> set[str] | None:
    raw = os.environ.get(ENV_VAR)
    if raw is None:
        return None
    return {p.strip() for p in raw.split(",") if p.strip()}


def _entry_points() -> list[tuple[md.EntryPoint, md.Distribution | None]]:
    seen: set[str] = set()
    out: list[tuple[md.EntryPoint, md.Distribution | None]] = []
    for dist in md.distributions():
        for ep in dist.entry_points:
            if ep.group != GROUP or ep.name in seen:
                continue
            seen.add(ep.name)
            out.append((ep, dist))
    return out


def _fail(name: str, exc: BaseException, **info: Any) -> str:
    """Record a failed plugin; returns the warning to emit once loading has finished."""
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    _report[name] = PluginInfo(name=name, status="failed", error=detail, **info)
    return f"tryon plugin {name!r} failed to load and was skipped: {detail}"


def _warn_all(messages: list[str]) -> None:
    # Emitted after the loop, so that warnings turned into errors cannot leave plugins half-loaded.
    for message in messages:
        warnings.warn(message, PluginWarning, stacklevel=3)


def load_plugins(*, force: bool = False) -> None:
    """Load every allowed entry point of the ``tryon`` group, each in isolation (idempotent)."""
    global _loaded
    with _lock:
        if _loaded and not force:
            return
        _loaded = True
        pm = get_plugin_manager()
        wanted = _wanted()
        failures: list[str] = []
        for ep, dist in _entry_points():
            dist_name = dist.metadata["Name"] if dist is not None else None
            info: dict[str, Any] = {"module": ep.value, "distribution": dist_name,
                                    "version": dist.version if dist is not None else None}
            if wanted is not None and ep.name not in wanted and (dist_name or "") not in wanted:
                _report[ep.name] = PluginInfo(name=ep.name, status="disabled", **info)
                continue
            if pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
                pm.register(plugin, name=ep.name)
            except Exception as exc:
                failures.append(_fail(ep.name, exc, **info))
                continue
            _report[ep.name] = PluginInfo(name=ep.name, status="loaded", **info)
        if wanted:
            known = {ep.name for ep, _ in _entry_points()} | {
                d.metadata["Name"] for _, d in _entry_points() if d is not None}
            for name in sorted(wanted - known):
                failures.append(f"{ENV_VAR} names {name!r}, but no installed plugin has that entry point "
                                "or distribution name (see `tryon plugins`)")
    _warn_all(failures)


def register_plugin(plugin: Any, name: str) -> None:
    """Register an in-process plugin object or module (tests, applications)."""
    with _lock:
        get_plugin_manager().register(plugin, name=name)
        _report[name] = PluginInfo(name=name, status="loaded", module=getattr(plugin, "__name__", None))


def report_failure(name: str, error: str, *, module: str | None = None) -> None:
    """Record something that failed to load like a failed plugin (``tryon plugins`` lists it):
    e.g. a broken entry of a models file. The caller warns."""
    with _lock:
        _report[name] = PluginInfo(name=name, status="failed", module=module, error=error)


def forget_failures(prefix: str) -> None:
    """Forget the recorded failures whose names start with *prefix* (before reporting afresh)."""
    with _lock:
        for name in [n for n, info in _report.items() if n.startswith(prefix) and info.status == "failed"]:
            del _report[name]


def unregister_plugin(name: str) -> None:
    with _lock:
        pm = get_plugin_manager()
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)
        _report.pop(name, None)


def call_hook(hook_name: str, **kwargs: Any) -> None:
    """Call *hook_name* on each plugin separately; a plugin that raises is reported, not fatal."""
    pm = get_plugin_manager()
    caller = getattr(pm.hook, hook_name)
    failures: list[str] = []
    for impl in reversed(caller.get_hookimpls()):
        name = pm.get_name(impl.plugin) or repr(impl.plugin)
        args = {k: v for k, v in kwargs.items() if k in impl.argnames}
        token = _calling.set(name)
        try:
            impl.function(**args)
        except Exception as exc:
            with _lock:
                previous = _report.get(name)
                failures.append(_fail(name, exc, module=previous.module if previous else None,
                                      distribution=previous.distribution if previous else None,
                                      version=previous.version if previous else None))
        finally:
            _calling.reset(token)
    _warn_all(failures)


def calling_plugin() -> str | None:
    """The name of the plugin whose hook is running (for attributing what it registers)."""
    return _calling.get()


def plugin_report() -> list[PluginInfo]:
    """Every plugin seen: loaded ones with their hooks, failed ones with their error."""
    load_plugins()
    pm = get_plugin_manager()
    with _lock:
        out = []
        for name, info in sorted(_report.items()):
            plugin = pm.get_plugin(name)
            if plugin is not None and info.status == "loaded":
                hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
                info = attrs.evolve(info, hooks=hooks)
            out.append(info)
        return out


def reset_for_tests() -> None:
    """Forget loaded plugins (tests only)."""
    global _pm, _loaded
    with _lock:
        _pm = None
        _loaded = False
        _report.clear()
