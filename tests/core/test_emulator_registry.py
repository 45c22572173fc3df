"""Emulators registered through the register_emulators hook (tryon.emulators, tryon emulator)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner

import tryon
import tryon.emulators as emulators
import tryon.plugins as plugins
from tryon.cli.app import build_cli
from tryon.testing.server import EmulatorServer, Response


class Hello(EmulatorServer):
    provider = "hello"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.route("GET", "/v1/hello", lambda r: Response.json({"hello": "world"}))


class HelloPlugin:
    @tryon.hookimpl
    def register_emulators(self, register: Any) -> None:
        register("hello", Hello, aliases=("hi",), description="Hello API",
                 env={"HELLO_BASE_URL": "{base_url}/v1", "HELLO_KEY": "{key}"})


@pytest.fixture
def hello() -> Iterator[None]:
    plugins.register_plugin(HelloPlugin(), "hello-plugin")
    try:
        yield
    finally:
        plugins.unregister_plugin("hello-plugin")


def test_first_party_emulators_are_registered_by_their_plugins() -> None:
    entries = {e.name: e for e in emulators.emulators()}
    assert {"bfl", "gemini", "openai"} <= set(entries)  # and those of other first-party plugins
    assert entries["bfl"].aliases == ("flux",) and entries["bfl"].plugin == "flux"
    assert entries["gemini"].aliases == ("google",) and entries["gemini"].plugin == "gemini"
    assert entries["openai"].plugin == "openai" and entries["replicate"].plugin == "replicate"
    assert emulators.find("FLUX").name == "bfl"
    from tryon.testing.openai_emulator import OpenAIEmulator

    assert entries["openai"].resolve() is OpenAIEmulator


def test_a_plugins_emulator_is_found_built_and_served(hello: None) -> None:
    entry = emulators.find("hi")
    assert entry.name == "hello" and entry.plugin == "hello-plugin"
    with emulators.start("hello", api_keys=["k"]) as emu:
        assert isinstance(emu, Hello)
        answer = requests.get(f"{emu.url}/v1/hello", headers={"Authorization": "Bearer k"}, timeout=10)
        assert answer.json() == {"hello": "world"}
        answer.close()
        banner = entry.banner(emu)
        base_url = emu.base_url
    assert banner[0] == f"Hello API emulator listening on {base_url}"
    assert banner[1] == f"export HELLO_BASE_URL={base_url}/v1 HELLO_KEY=emulator-key"


def test_unknown_names_list_the_registered_ones() -> None:
    names = ", ".join(e.name for e in emulators.emulators())
    assert "bfl" in names and "openai" in names
    with pytest.raises(LookupError) as err:
        emulators.find("nope")
    assert str(err.value) == f"no emulator registered as 'nope'; registered: {names}"


def test_an_application_can_register_one_and_names_cannot_clash(hello: None) -> None:
    emulators.register("local", f"{__name__}:Hello")
    try:
        assert emulators.find("local").resolve() is Hello
        emulators.register("flux", Hello)  # an alias the bfl emulator holds
        with pytest.raises(ValueError, match="emulator name 'flux' of an application is already taken by flux"):
            emulators.emulators()
    finally:
        emulators.unregister("local")
        emulators.unregister("flux")


def test_bad_registrations_are_refused() -> None:
    with pytest.raises(ValueError, match="'module:attribute'"):
        emulators.EmulatorEntry("x", "no_colon")
    with pytest.raises(TypeError, match="callable"):
        emulators.EmulatorEntry("x", 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty word"):
        emulators.EmulatorEntry("two words", Hello)
    with pytest.raises(TypeError, match="aliases"):
        emulators.EmulatorEntry("x", Hello, aliases="xy")  # type: ignore[arg-type]


def test_a_plugin_whose_emulator_hook_fails_is_reported_and_the_rest_still_serve() -> None:
    class Broken:
        @tryon.hookimpl
        def register_emulators(self, register: Any) -> None:
            raise RuntimeError("no emulator today")

    plugins.register_plugin(Broken(), "broken-emu")
    try:
        with pytest.warns(plugins.PluginWarning, match="no emulator today"):
            names = [e.name for e in emulators.emulators()]
        assert "openai" in names
    finally:
        plugins.unregister_plugin("broken-emu")


def test_the_cli_lists_and_refuses_by_the_registry(hello: None) -> None:
    runner = CliRunner()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shown = runner.invoke(build_cli(), ["emulator", "--help"])
    assert shown.exit_code == 0
    listed = " ".join(shown.output.split())
    for item in ("bfl (also: flux)", "gemini (also: google)", "hello (also: hi)", "openai"):
        assert item in listed
    names = [e.name for e in emulators.emulators()]
    assert names == sorted(names) and "hello" in names
    bad = runner.invoke(build_cli(), ["emulator", "--provider", "nope"])
    assert bad.exit_code == 2 and f"available: {', '.join(names)}" in bad.output


def test_the_pytest_fixture_starts_a_registered_emulator_and_points_the_environment_at_it(
        hello: None, tryon_emulator: Any) -> None:
    import os

    emu = tryon_emulator("hi", api_keys=["emulator-key"])
    assert isinstance(emu, Hello) and emu.running
    assert os.environ["HELLO_BASE_URL"] == f"{emu.base_url}/v1" and os.environ["HELLO_KEY"] == "emulator-key"
    openai = tryon_emulator("openai")
    assert os.environ["OPENAI_BASE_URL"] == openai.base_url
    assert tryon.generate("a fox", model="gpt-image-2").images  # the default router uses the emulator


def test_a_single_string_of_aliases_is_a_type_error_not_its_letters() -> None:
    with pytest.raises(TypeError, match="aliases must be a collection"):
        emulators.register("om-app", Hello, aliases="om")

    class Letters:
        @tryon.hookimpl
        def register_emulators(self, register: Any) -> None:
            register("om", Hello, aliases="om")

    plugins.register_plugin(Letters(), "letters-emu")
    try:
        with pytest.warns(plugins.PluginWarning, match="aliases must be a collection"):
            names = {n for e in emulators.emulators() for n in (e.name, *e.aliases)}
        assert not {"o", "m", "om"} & names
    finally:
        plugins.unregister_plugin("letters-emu")


def test_a_clashing_emulator_name_skips_only_that_emulator() -> None:
    class Clash:
        @tryon.hookimpl
        def register_emulators(self, register: Any) -> None:
            register("flux", Hello)  # the bfl emulator's alias
            register("clash-own", Hello)

    plugins.register_plugin(Clash(), "clash-emu")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            names = [e.name for e in emulators.emulators()]
        messages = [str(w.message) for w in caught if issubclass(w.category, plugins.PluginWarning)]
        # whichever hook runs second loses the name: only that emulator is skipped, nothing "failed to load"
        assert len(messages) == 1 and "was skipped" in messages[0] and "is already taken" in messages[0]
        assert "models are still registered" in messages[0] and "failed to load" not in messages[0]
        assert "clash-own" in names
        assert all(info.status != "failed" for info in plugins.plugin_report() if info.name == "clash-emu")
    finally:
        plugins.unregister_plugin("clash-emu")
