"""``tryon emulator``: serve a local provider emulator (no key, no internet)."""

from __future__ import annotations

import importlib
import pkgutil

import click

__all__ = ["COMMANDS", "available_emulators", "emulator"]


def available_emulators() -> list[str]:
    """Providers with an emulator module ``tryon.testing.<provider>_emulator``."""
    import tryon.testing

    return sorted(m.name.removesuffix("_emulator") for m in pkgutil.iter_modules(tryon.testing.__path__)
                  if m.name.endswith("_emulator"))


_ALIASES = {"flux": "bfl", "google": "gemini"}


@click.command()
@click.option("--provider", default="openai", show_default=True, metavar="PROVIDER",
              help="Which provider's API to emulate: openai, bfl (or flux), gemini or fashn.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port (0: any free port).")
@click.option("--latency", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds to delay every answer.")
def emulator(provider: str, host: str, port: int, latency: float) -> None:
    """Serve a provider emulator until Ctrl-C, and print how to point clients at it.

    \b
    Providers: openai, bfl (also: flux), gemini, fashn.

    \b
    Examples:
      tryon emulator --port 8080 &
      OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=emulator-key tryon generate "a fox"
      tryon emulator --provider flux --port 8081 &
      BFL_BASE_URL=http://localhost:8081 BFL_API_KEY=emulator-key tryon generate "a fox" -m flux-2-pro
      tryon emulator --provider fashn --port 8082 &
      FASHN_BASE_URL=http://127.0.0.1:8082 FASHN_API_KEY=emulator-key tryon try-on me.png shirt.png -m fashn-tryon-v1.6
    """
    known = available_emulators()
    provider = _ALIASES.get(provider.lower(), provider.lower())
    if provider not in known:
        raise click.BadParameter(f"no emulator for {provider!r}; available: {', '.join(known)}",
                                 param_hint="'--provider'")
    module = importlib.import_module(f"tryon.testing.{provider}_emulator")
    args = ["--host", host, "--port", str(port)]
    if latency:
        args += ["--latency", str(latency)]
    code = module.main(args)
    raise click.exceptions.Exit(code or 0)


COMMANDS = (emulator,)
