"""Reading a models file into :class:`DeclaredModel` values and registering their generators."""

from __future__ import annotations

import os
import re
import threading
import tomllib
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from tryon.capabilities import Capabilities
from tryon.declared.build import EntryError, FieldProblem, build_capabilities
from tryon.declared.lines import LineMap, scan
from tryon.errors import PluginError, ValidationError

if TYPE_CHECKING:
    from tryon.protocol import ImageGenerator
    from tryon.router import Router

__all__ = [
    "DEFAULT_FILE_ENV",
    "BackendFactory",
    "DeclaredModel",
    "ModelsFileError",
    "backend_factories",
    "default_models_file",
    "models_file_paths",
    "read_models_file",
    "register_declared",
]

DEFAULT_FILE_ENV = "TRYON_MODELS_FILE"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class ModelsFileError(ValidationError):
    """A models-file entry (or the whole file) that cannot be used: names the file, line and field."""

    def __init__(self, message: str, *, file: str, line: int | None = None, field: str | None = None,
                 model: str | None = None) -> None:
        where = f"{file}:{line}" if line is not None else file
        subject = f" model {model!r}" if model else ""
        about = f" field {field!r}" if field else ""
        super().__init__(f"{where}:{subject}{about}: {message}".replace(":: ", ": "))
        self.file, self.line, self.field, self.model = file, line, field, model


@attrs.frozen(kw_only=True)
class DeclaredModel:
    """One valid entry of a models file, handed to the backend factory of its ``backend`` kind.

    ``id`` is tryon's name for the model, ``model`` the endpoint's (default: ``id``);
    ``provider`` names the settings (``Router(settings={provider: {...}})``) and defaults to the
    backend kind; ``endpoint`` is the backend's own table (``[models.endpoint]``), read by the
    factory; ``option_names`` maps each declared option to the name the endpoint expects.
    A factory that finds a problem raises :meth:`error` so the message names file, line and field.
    """

    id: str
    backend: str
    provider: str
    model: str
    capabilities: Capabilities = attrs.field(repr=False)
    aliases: tuple[str, ...] = ()
    base_url: str | None = None
    api_key_env: str | None = None
    endpoint: Mapping[str, Any] = attrs.field(factory=dict, converter=lambda v: MappingProxyType(dict(v)),
                                              hash=False)
    option_names: Mapping[str, str] = attrs.field(factory=dict, converter=lambda v: MappingProxyType(dict(v)),
                                                  hash=False)
    file: str
    line: int
    _lines: LineMap | None = attrs.field(default=None, repr=False, eq=False, alias="lines")
    _index: int = attrs.field(default=0, repr=False, eq=False, alias="index")

    def error(self, field: str, message: str) -> ModelsFileError:
        """A :class:`ModelsFileError` about *field* (dotted: ``"endpoint.images"``) of this entry."""
        path = tuple(field.split(".")) if field else ()
        line = self._lines.line(self._index, path) if self._lines is not None else None
        return ModelsFileError(message, file=self.file, line=line or self.line, field=field or None,
                               model=self.id)


BackendFactory = Callable[[DeclaredModel], "ImageGenerator"]
"""Builds the generator of one declared model (raise ``declared.error(field, message)`` when it cannot)."""


def default_models_file() -> Path:
    """``$XDG_CONFIG_HOME/tryon/models.toml``, else ``~/.config/tryon/models.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".config"
    return root / "tryon" / "models.toml"


def models_file_paths() -> tuple[list[Path], bool]:
    """The models files to read and whether they were named explicitly (``TRYON_MODELS_FILE``:
    one path or several separated by ``os.pathsep``; set but empty = none)."""
    raw = os.environ.get(DEFAULT_FILE_ENV)
    if raw is not None:
        return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()], True
    path = default_models_file()
    return ([path] if path.is_file() else []), False


def _entry(raw: Any, index: int, file: str, lines: LineMap) -> DeclaredModel:
    line = lines.line(index) or 1
    if not isinstance(raw, dict):
        raise ModelsFileError("each [[models]] entry must be a table", file=file, line=line)
    model_id = raw.get("id")

    def fail(problems: list[FieldProblem]) -> EntryError:
        return EntryError(problems)

    problems: list[FieldProblem] = []
    if not isinstance(model_id, str) or not _ID.match(model_id):
        problems.append(FieldProblem(("id",), f"must be a model name (letters, digits, . _ - / :), not {model_id!r}"))
    backend = raw.get("backend")
    if not isinstance(backend, str) or not backend:
        problems.append(FieldProblem(("backend",), "must name a backend kind such as \"openai\" or \"replicate\""))
    for name in ("provider", "model", "base_url", "description"):
        if name in raw and (not isinstance(raw[name], str) or not raw[name].strip()):
            problems.append(FieldProblem((name,), "must be a non-empty string"))
    env = raw.get("api_key_env")
    if env is not None and (not isinstance(env, str) or not _ENV_NAME.match(env)):
        # the value is not shown: it may be the key itself, pasted in by mistake
        problems.append(FieldProblem(("api_key_env",), "must be the name of an environment variable in capitals, "
                                     "such as XAI_API_KEY (never the key itself)"))
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and _ID.match(a) for a in aliases):
        problems.append(FieldProblem(("aliases",), "must be a list of model names"))
    endpoint = raw.get("endpoint", {})
    if not isinstance(endpoint, dict):
        problems.append(FieldProblem(("endpoint",), "must be a table ([models.endpoint])"))
    name = model_id if isinstance(model_id, str) else f"models[{index}]"
    try:
        caps, wire = build_capabilities(raw, name)
    except EntryError as exc:
        problems.extend(exc.problems)
    if problems:
        raise fail(problems)
    assert isinstance(model_id, str) and isinstance(backend, str)
    return DeclaredModel(id=model_id, backend=backend, provider=str(raw.get("provider", backend)),
                         model=str(raw.get("model", model_id)), capabilities=caps, aliases=tuple(aliases),
                         base_url=raw.get("base_url"), api_key_env=env, endpoint=endpoint, option_names=wire,
                         file=file, line=line, lines=lines, index=index)


def read_models_file(path: str | os.PathLike[str]) -> tuple[list[DeclaredModel], list[ModelsFileError]]:
    """The valid entries of *path* and the problems of the others (a broken entry never stops the rest)."""
    file = os.fspath(path)
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [ModelsFileError("no such file (set by TRYON_MODELS_FILE?)", file=file)]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [ModelsFileError(f"cannot be read: {exc}", file=file)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        return [], [ModelsFileError(f"is not valid TOML: {exc}", file=file,
                                    line=int(found.group(1)) if found else None)]
    lines = scan(text)
    unknown = sorted(set(data) - {"models"})
    errors = [ModelsFileError(f"unknown top-level table {name!r}; declare models as [[models]] entries",
                              file=file) for name in unknown]
    entries = data.get("models", [])
    if not isinstance(entries, list):
        return [], [*errors, ModelsFileError("'models' must be an array of tables ([[models]])", file=file)]
    models: list[DeclaredModel] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(entries):
        model_id = raw.get("id") if isinstance(raw, dict) else None
        label = model_id if isinstance(model_id, str) else None
        try:
            declared = _entry(raw, index, file, lines)
        except ModelsFileError as exc:
            errors.append(exc)
            continue
        except EntryError as exc:
            for problem in exc.problems:
                errors.append(ModelsFileError(problem.message, file=file, line=lines.line(index, problem.path),
                                              field=problem.field or None, model=label))
            continue
        if declared.id in seen:
            errors.append(ModelsFileError(f"is declared twice (first on line {seen[declared.id]})", file=file,
                                          line=declared.line, field="id", model=declared.id))
            continue
        seen[declared.id] = declared.line
        models.append(declared)
    return models, errors


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], tuple[list[DeclaredModel], list[ModelsFileError]]]] = {}


def _read_cached(path: Path) -> tuple[list[DeclaredModel], list[ModelsFileError]]:
    """:func:`read_models_file`, parsed once per version of the file (its size and modification time)."""
    try:
        stat = path.stat()
    except OSError:
        return read_models_file(path)
    key, version = os.fspath(path), (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return list(hit[1][0]), list(hit[1][1])
    result = read_models_file(path)
    with _cache_lock:
        _cache[key] = (version, result)
    return list(result[0]), list(result[1])


def backend_factories() -> dict[str, tuple[BackendFactory, str | None]]:
    """Every backend kind the loaded plugins register (``register_backends``), with the plugin's name."""
    from tryon.plugins import call_hook, calling_plugin, load_plugins

    load_plugins()
    found: dict[str, tuple[BackendFactory, str | None]] = {}

    def register(kind: str, factory: BackendFactory) -> None:
        if not isinstance(kind, str) or not kind or not callable(factory):
            raise PluginError(f"register_backends: register(kind, factory) needs a name and a callable, "
                              f"not {kind!r}, {factory!r}")
        found.setdefault(kind, (factory, calling_plugin()))

    call_hook("register_backends", register=register)
    return found


def _taken_name(router: Router, declared: DeclaredModel) -> ModelsFileError | None:
    """An error when the entry's id or an alias already names a registered model (never shadowed)."""
    for field, name in (("id", declared.id), *(("aliases", alias) for alias in declared.aliases)):
        if name in router:
            owner = router.resolve_name(name)
            what = "is already registered" if owner == name else f"already names {owner!r}"
            return declared.error(field, f"{name!r} {what} (by {router.info(owner).plugin or 'an application'}); "
                                  "choose another name")
    return None


_REPORT_PREFIX = "models file "
_warned_lock = threading.Lock()
_warned: set[str] = set()


def _report(errors: Iterable[ModelsFileError]) -> None:
    """Each problem as a failed entry of ``tryon plugins`` and, once per process, a ``PluginWarning``."""
    from tryon.plugins import PluginWarning, forget_failures, report_failure

    forget_failures(_REPORT_PREFIX)
    fresh = []
    for error in errors:
        where = f"{error.file}:{error.line}" if error.line is not None else error.file
        report_failure(f"{_REPORT_PREFIX}{where}" + (f" [{error.model}]" if error.model else ""), error.message,
                       module=error.file)
        with _warned_lock:
            if error.message not in _warned:
                _warned.add(error.message)
                fresh.append(error.message)
    for message in fresh:
        warnings.warn(f"tryon models file entry skipped: {message}", PluginWarning, stacklevel=4)


def register_declared(router: Router, paths: Iterable[str | os.PathLike[str]] | None = None,
                      backends: Mapping[str, BackendFactory] | None = None) -> list[ModelsFileError]:
    """Register the models of *paths* (default: :func:`models_file_paths`) on *router*.

    Each model is registered with its file as its origin (``tryon models`` shows it). *backends*
    replaces the plugins' ``register_backends`` factories (tests, applications). Returns the
    problems, which are also reported like plugin failures.
    """
    files = [Path(p) for p in paths] if paths is not None else models_file_paths()[0]
    if not files:
        return []
    factories = dict(backends) if backends is not None else {k: f for k, (f, _) in backend_factories().items()}
    errors: list[ModelsFileError] = []
    for file in files:
        models, problems = _read_cached(file)
        errors.extend(problems)
        for declared in models:
            factory = factories.get(declared.backend)
            if factory is None:
                known = ", ".join(sorted(factories)) or "none"
                errors.append(declared.error("backend", f"no installed plugin serves backend {declared.backend!r} "
                                             f"(backends available: {known})"))
                continue
            taken = _taken_name(router, declared)
            if taken is not None:
                errors.append(taken)
                continue
            try:
                generator = factory(declared)
                router.register(generator, aliases=declared.aliases, plugin=declared.file)
            except ModelsFileError as exc:
                errors.append(exc)
            except (PluginError, ValueError, TypeError) as exc:
                message = getattr(exc, "message", None) or str(exc)
                errors.append(declared.error("", message))
    _report(errors)
    return errors
