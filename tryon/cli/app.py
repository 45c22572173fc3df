"""The ``tryon`` command group: commands from a list of modules plus those plugins add.

Importing this module is cheap (click only): command modules import tryon's heavier parts
(Pillow, provider SDKs) inside the commands, so ``tryon --help`` stays fast.

Exit codes: 0 success; 1 a provider failed (or some images of a request failed); 2 the
request, an option or an input was invalid (nothing was sent). Handled errors print one
``error: ...`` message on stderr, never a traceback (``TRYON_DEBUG=1`` re-raises them).
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import click

from tryon.cli import output

__all__ = ["COMMAND_MODULES", "PRIVATE_URL_HINT", "TryOnGroup", "build_cli", "cli_wording", "error_document",
           "exit_code_for"]

COMMAND_MODULES: tuple[str, ...] = (
    "tryon.cli.generate",
    "tryon.cli.try_on",
    "tryon.cli.models",
    "tryon.cli.plugins",
    "tryon.cli.batch",
    "tryon.cli.demo",
    "tryon.cli.emulator",
)
"""Modules whose commands make up ``tryon``. Each exposes ``COMMANDS`` (a sequence of
click commands) or, failing that, one command named like the module (``tryon.cli.batch``
-> ``batch``). A module that is not installed is skipped."""

EXIT_OK, EXIT_PROVIDER, EXIT_USAGE = 0, 1, 2


def exit_code_for(exc: BaseException) -> int | None:
    """The exit code of a handled error, or ``None`` for an unexpected one (a bug: traceback)."""
    from tryon.errors import NoModelAvailableError, TryOnError

    if isinstance(exc, click.ClickException):
        return exc.exit_code  # 2 for usage errors
    if isinstance(exc, NoModelAvailableError):
        user = exc.skipped and all(isinstance(s.error, ValueError) for s in exc.skipped)
        return EXIT_USAGE if user else EXIT_PROVIDER
    if isinstance(exc, ValueError):  # every tryon.ValidationError is one
        return EXIT_USAGE
    if isinstance(exc, (TryOnError, ImportError, OSError)):
        return EXIT_PROVIDER
    return None


_CLI_WORDING: tuple[tuple[str, str], ...] = (
    ("set allow_private=True or", "pass --allow-private-urls or set"),
    ("allow_private=True", "--allow-private-urls"),
    ("strict=False", "--lenient"),
)
"""Python settings named in the library's hints, and what to say on the command line instead."""

PRIVATE_URL_HINT = " (use --allow-private-urls for hosts you trust)"


def _refused_private_url(exc: BaseException) -> bool:
    from tryon.errors import NoModelAvailableError, UnsafeURLError

    if isinstance(exc, NoModelAvailableError):
        return any(s.error is not None and _refused_private_url(s.error) for s in exc.skipped)
    return isinstance(exc, UnsafeURLError) and any(word in str(exc) for word in ("non-public", "private"))


def cli_wording(exc: BaseException, text: str) -> str:
    """*text* (the message of *exc*) with the library's hints turned into command-line flags."""
    for python, flag in _CLI_WORDING:
        text = text.replace(python, flag)
    if "--allow-private-urls" not in text and _refused_private_url(exc):
        text += PRIVATE_URL_HINT
    return text


def _message(exc: BaseException, key_argument: str | None = "--api-key") -> str:
    from tryon.errors import MissingCredentialsError

    if isinstance(exc, MissingCredentialsError):
        if key_argument is None:  # a front end without a key flag (gpt_image.py): name the variables only
            names = " or ".join(exc.env_vars)
            return f"no API key for {exc.provider}: set the {names} environment variable (nothing was sent)"
        return MissingCredentialsError(exc.provider, exc.env_vars, argument=key_argument).message
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return cli_wording(exc, str(exc) or type(exc).__name__)


def error_document(exc: BaseException, code: int, message: str) -> dict[str, Any]:
    """The JSON printed on stdout for a failed command run with ``--json`` (the exit code is unchanged)."""
    from tryon.errors import ProviderError

    data: dict[str, Any] = {"error": {"type": type(exc).__name__, "message": message}, "exit_code": code,
                            "sent": code != EXIT_USAGE}
    problems = getattr(exc, "problems", None)
    if problems:
        data["error"]["problems"] = [list(p) if isinstance(p, tuple) else str(p) for p in problems]
    if isinstance(exc, ProviderError):
        data["error"].update({"provider": exc.provider, "model": exc.model, "status": exc.status,
                              "retryable": exc.retryable})
    return data


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    output.warn(str(message))


class TryOnGroup(click.Group):
    """A click group that turns tryon's errors into one line on stderr and an exit code.

    ``key_argument`` is the flag a missing-key message suggests (``None``: only the variables).
    """

    key_argument: str | None = "--api-key"

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            code = self._run(args, prog_name, complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Sequence[str] | None, prog_name: str | None, complete_var: str | None,
             **extra: Any) -> int:
        try:
            value = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except click.Abort:
            output.error("aborted")
            return 130
        except KeyboardInterrupt:
            output.error("interrupted")
            return 130
        except Exception as exc:
            code = exit_code_for(exc)
            if code is None or os.environ.get("TRYON_DEBUG"):
                raise
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            output.error(_message(exc, self.key_argument) + hint)
            if "--json" in (sys.argv[1:] if args is None else list(args)):
                output.emit_json(error_document(exc, code, _message(exc, self.key_argument)))
            return code
        return value if isinstance(value, int) else EXIT_OK


def _version() -> str:
    import tryon

    return tryon.__version__


def _commands_of(module: ModuleType) -> list[click.Command]:
    commands = getattr(module, "COMMANDS", None)
    if commands is None:
        single = getattr(module, module.__name__.rsplit(".", 1)[-1], None)
        commands = [single] if isinstance(single, click.Command) else []
    return list(commands)


def _import_optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def build_cli(*, plugins: bool = True) -> TryOnGroup:
    """A fresh ``tryon`` group: the commands of :data:`COMMAND_MODULES`, then plugins' commands.

    Plugins add commands through the ``register_commands(cli)`` hook; a plugin whose hook
    fails is reported by ``tryon plugins`` and the others still load.
    """

    @click.group(cls=TryOnGroup, name="tryon", context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(_version(), "--version", prog_name="tryon", message="%(prog)s %(version)s")
    def cli() -> None:
        """Generate and edit images through many providers behind one capability-aware interface.

        Requests are checked against each model's declared capabilities before anything is
        sent. Start with `tryon demo` (offline), `tryon models`, or
        `tryon generate "A leather jacket" -o out/`.
        """

    assert isinstance(cli, TryOnGroup)
    for name in COMMAND_MODULES:
        module = _import_optional(name)
        if module is None:
            continue
        for command in _commands_of(module):
            cli.add_command(command)
    if plugins:
        from tryon.plugins import call_hook, load_plugins

        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            load_plugins()
            call_hook("register_commands", cli=cli)
    return cli
