"""``tryon emulator``: serve a local provider emulator (no key, no internet).

The emulators are those plugins register through the ``register_emulators`` hook
(:mod:`tryon.emulators`); the first-party OpenAI, FLUX and Gemini emulators are registered
the same way.
"""

from __future__ import annotations

from typing import Any

import click

__all__ = ["COMMANDS", "available_emulators", "emulator"]


def available_emulators() -> list[str]:
    """The names of the registered emulators (each plugin's ``register_emulators`` hook)."""
    from tryon.emulators import emulators

    return [entry.name for entry in emulators()]


def _providers_line() -> str:
    from tryon.emulators import emulators

    try:
        entries = emulators()
    except Exception as exc:  # a broken registration must not hide the help
        return f"Providers: cannot list them ({exc})."
    shown = [f"{e.name} (also: {', '.join(e.aliases)})" if e.aliases else e.name for e in entries]
    return "Providers: " + (", ".join(shown) if shown else "none registered") + "."


class _EmulatorCommand(click.Command):
    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(_providers_line())


@click.command(cls=_EmulatorCommand)
@click.option("--provider", default="openai", show_default=True, metavar="PROVIDER",
              help="Which provider's API to emulate (a registered emulator name or alias).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port (0: any free port).")
@click.option("--latency", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds to delay every answer.")
@click.option("--no-require-key", is_flag=True, help="Accept requests without an API key.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request.")
def emulator(provider: str, host: str, port: int, latency: float, no_require_key: bool, verbose: bool) -> None:
    """Serve a provider emulator until Ctrl-C, and print how to point clients at it.

    \b
    Examples:
      tryon emulator --port 8080 &
      OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=emulator-key tryon generate "a fox"
      tryon emulator --provider flux --port 8081 &
      BFL_BASE_URL=http://localhost:8081 BFL_API_KEY=emulator-key tryon generate "a fox" -m flux-2-pro
      tryon emulator --provider fashn --port 8082 &
      FASHN_BASE_URL=http://127.0.0.1:8082 FASHN_API_KEY=emulator-key tryon try-on me.png shirt.png -m fashn-tryon-v1.6

    Plugins add their own emulators through the register_emulators hook.
    """
    from tryon.emulators import find
    from tryon.testing.server import serve_until_interrupted

    try:
        entry = find(provider)
    except LookupError:
        known = ", ".join(available_emulators()) or "none"
        raise click.BadParameter(f"no emulator for {provider!r}; available: {known}",
                                 param_hint="'--provider'") from None
    server: Any = entry.build(host=host, port=port, latency=latency, require_key=not no_require_key)
    server.start()  # bind now, so that the banner can name the port
    banner = [line.replace("{", "{{").replace("}", "}}") for line in entry.banner(server)]
    code = serve_until_interrupted(server, *banner, verbose=verbose)
    raise click.exceptions.Exit(code or 0)


COMMANDS = (emulator,)
