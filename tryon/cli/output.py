"""Printing helpers of the command line: results on stdout, progress and warnings on stderr.

Everything printed passes through :func:`tryon.secrets.redact`, and JSON goes through
:func:`tryon.media.outputs.scrub_metadata`, so no API key can reach the terminal.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
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


@contextmanager
def progress(message: str) -> Iterator[None]:
    """``message...`` on stderr before a slow step and ``done (1.2s)`` after it."""
    click.echo(redact(f"{message}..."), err=True, nl=False)
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        click.echo(" failed", err=True)
        raise
    click.echo(f" done ({time.perf_counter() - started:.1f}s)", err=True)


def format_cost(usd: float | None) -> str:
    return "unknown" if usd is None else f"${usd:.4f}"


def split_csv(values: Iterable[str] | str | None) -> list[str]:
    """``("a,b", "c")`` -> ``["a", "b", "c"]`` (empty items dropped)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_key_values(pairs: Iterable[str], *, option: str = "--option") -> dict[str, Any]:
    """``KEY=VALUE`` pairs to a dict; values are parsed as JSON when they are valid JSON."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=f"'{option}'")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        out[key] = value
    return out
