"""The ``tryon`` command line (``tryon --help``); ``main`` is the console-script entry point."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tryon`` with *argv* (default: ``sys.argv[1:]``); returns the exit code."""
    from tryon.cli.app import build_cli

    code: int = build_cli().main(args=list(argv) if argv is not None else None, prog_name="tryon",
                                 standalone_mode=False)
    return code
