"""The ``tryon`` command line (``tryon --help``); ``main`` is the console-script entry point."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, key_argument: str | None = "--api-key") -> int:
    """Run ``tryon`` with *argv* (default: ``sys.argv[1:]``); returns the exit code.

    *key_argument* is the flag a missing-key message suggests (``None`` for front ends without one).
    """
    from tryon.cli.app import build_cli

    cli = build_cli()
    cli.key_argument = key_argument
    code: int = cli.main(args=list(argv) if argv is not None else None, prog_name="tryon", standalone_mode=False)
    return code
