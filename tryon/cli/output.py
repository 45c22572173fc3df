"""Printing helpers of the command line: results on stdout, progress and warnings on stderr.

Everything printed passes through :func:`tryon.secrets.redact`, and JSON goes through
:func:`tryon.media.outputs.scrub_metadata`, so no API key can reach the terminal.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import click

from tryon.secrets import redact

__all__ = [
    "emit_json",
    "error",
    "format_cost",
    "info",
    "parse_key_values",
    "progress",
    "result",
    "split_csv",
    "warn",
]


def info(message: str) -> None:
    """A line of progress or summary on stderr."""
    click.echo(redact(message), err=True)


def warn(message: str) -> None:
    click.echo(redact(f"warning: {message}"), err=True)


def error(message: str) -> None:
    click.echo(redact(f"error: {message}"), err=True)


def result(line: str) -> None:
    """A line of the command's result on stdout."""
    click.echo(redact(line))


def emit_json(data: Mapping[str, Any] | Sequence[Any]) -> None:
    """*data* as indented JSON on stdout, secrets removed."""
    from tryon.media.outputs import scrub_metadata

    click.echo(json.dumps(scrub_metadata(data), indent=2, ensure_ascii=False, sort_keys=False))


PROGRESS_DELAY = 0.3
"""Seconds a step may take before its progress line is shown."""


@contextmanager
def progress(message: str, *, delay: float = PROGRESS_DELAY, done: str = "done") -> Iterator[None]:
    """Show ``message...`` on stderr if the step takes more than *delay* seconds, then ``done (1.2s)``
    (*done* names what the end of the step means).

    Instant steps (and steps that fail validation at once) print nothing, so an error stays
    one line.
    """
    started = time.perf_counter()
    lock = threading.Lock()
    shown = finished = False

    def show() -> None:
        nonlocal shown
        with lock:
            if not finished:
                click.echo(redact(f"{message}..."), err=True, nl=False)
                shown = True

    timer = threading.Timer(delay, show)
    timer.daemon = True
    if delay > 0:
        timer.start()
    else:
        show()
    ok = False
    try:
        yield
        ok = True
    finally:
        timer.cancel()
        with lock:
            finished = True
            if shown:
                click.echo(f" {done} ({time.perf_counter() - started:.1f}s)" if ok else " failed", err=True)


def format_cost(usd: float | None) -> str:
    return "unknown" if usd is None else f"${usd:.4f}"


def split_csv(values: Iterable[str] | str | None) -> list[str]:
    """``("a,b", "c")`` -> ``["a", "b", "c"]`` (empty items dropped)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_key_values(pairs: Iterable[str], *, option: str = "--option",
                     text_keys: Container[str] = ()) -> dict[str, Any]:
    """``KEY=VALUE`` pairs to a dict; values are parsed as JSON when they are valid JSON, except
    for *text_keys* (options typed as text, such as a numeric user id), which stay strings."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=f"'{option}'")
        if key in text_keys:
            out[key] = raw
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        out[key] = value
    return out


def text_options(options_type: type | None) -> frozenset[str]:
    """The fields of a provider-options attrs class that take text only."""
    import attrs

    if options_type is None or not attrs.has(options_type):
        return frozenset()
    names = set()
    for field in attrs.fields(options_type):
        kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", str(field.type))
        words = set(str(kind).replace("|", " ").replace("None", " ").split())
        if words == {"str"}:
            names.add(field.name)
    return frozenset(names)
