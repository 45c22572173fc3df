"""``tryon plugins``: loaded plugins with versions and hooks, and those that failed."""

from __future__ import annotations

import click

from tryon.cli import output

__all__ = ["COMMANDS", "plugins"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(as_json: bool) -> None:
    """List tryon plugins: loaded (with version and hooks), disabled, or failed (with the error).

    TRYON_PLUGINS restricts which plugins load (comma-separated names; empty = none).
    """
    from tryon.plugins import plugin_report
    from tryon.router import Router

    Router()  # runs every plugin's register_generators hook, so failures there are reported too
    report = plugin_report()
    if as_json:
        output.emit_json([p.to_dict() for p in report])
        return
    if not report:
        output.info("no tryon plugins are installed")
        return
    for p in report:
        version = f" {p.version}" if p.version else ""
        source = f" ({p.distribution or p.module})" if (p.distribution or p.module) else ""
        click.echo(f"{p.name}{version}{source}: {p.status}")
        if p.hooks:
            click.echo(f"  hooks: {', '.join(p.hooks)}")
        if p.error:
            click.echo(f"  error: {p.error}")


COMMANDS = (plugins,)
