"""Plugins: a third-party package with its own entry point, isolation of broken plugins, hooks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest

import tryon
import tryon.plugins as plugins
from tryon.errors import UnsupportedOptionError

ACME = '''
"""A third-party provider plugin, as its own package."""
import tryon
from tryon.testing.fake import FakeGenerator

CAPS = tryon.Capabilities(
    operations={"generate", "edit"}, transparent_background=False, mask=False,
    input_fidelity=frozenset(), max_input_images=1, max_images_per_call=1,
    sizes=tryon.Sizes.fixed("1024x1024", "1536x1024"), output_formats={"png"},
)


@tryon.hookimpl
def register_generators(register):
    register(FakeGenerator("acme-1", provider="acme", capabilities=CAPS), aliases=["acme-latest"])
'''


def _make_dist(root: Path, name: str, module: str, source: str, ep_name: str) -> None:
    pkg = root / module
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(source))
    info = root / f"{name.replace('-', '_')}-0.3.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.3.1\n")
    (info / "entry_points.txt").write_text(f"[tryon]\n{ep_name} = {module}\n")


@pytest.fixture
def third_party(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two plugin packages outside this repository: one good, one that raises on import."""
    _make_dist(tmp_path, "tryon-acme", "tryon_acme", ACME, "acme")
    _make_dist(tmp_path, "tryon-broken", "tryon_broken", "raise RuntimeError('boom: missing native lib')\n",
               "broken")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(plugins.ENV_VAR, "openai,acme,broken")
    plugins.reset_for_tests()
    yield tmp_path
    for mod in ("tryon_acme", "tryon_broken"):
        sys.modules.pop(mod, None)
    plugins.reset_for_tests()


def test_third_party_plugin_is_found_and_enforced_while_broken_one_is_reported(third_party: Path) -> None:
    with pytest.warns(plugins.PluginWarning, match="broken"):
        router = tryon.Router()
    assert router.resolve_name("acme-latest") == "acme-1"
    assert router.resolve_name("acme/acme-1") == "acme-1"
    assert "gpt-image-2.6-sunburst" in router  # the first-party plugin still loaded
    with pytest.raises(UnsupportedOptionError) as err:
        router.edit(b"x", "add a hat", model="acme-1", mask=b"m")
    assert "acme-1 does not support mask" in str(err.value)
    assert router.get("acme-1").requests == []  # type: ignore[attr-defined]
    report = {p.name: p for p in plugins.plugin_report()}
    assert report["acme"].status == "loaded" and report["acme"].version == "0.3.1"
    assert report["acme"].distribution == "tryon-acme"
    assert "register_generators" in report["acme"].hooks
    assert report["broken"].status == "failed" and "boom: missing native lib" in (report["broken"].error or "")


def test_env_var_restricts_plugins(third_party: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(plugins.ENV_VAR, "acme")
    plugins.reset_for_tests()
    router = tryon.Router()
    assert [m.model for m in router.models()] == ["acme-1"]
    statuses = {p.name: p.status for p in plugins.plugin_report()}
    assert statuses["openai"] == "disabled" and statuses["broken"] == "disabled"
    monkeypatch.setenv(plugins.ENV_VAR, "")
    plugins.reset_for_tests()
    assert tryon.Router().models() == []


def test_plugin_that_fails_while_registering_is_isolated() -> None:
    class Exploding:
        @tryon.hookimpl
        def register_generators(self, register):  # type: ignore[no-untyped-def]
            raise RuntimeError("registration exploded")

    plugins.register_plugin(Exploding(), "exploding")
    try:
        with pytest.warns(plugins.PluginWarning, match="registration exploded"):
            router = tryon.Router()
        assert "gpt-image-2.6-sunburst" in router
        assert {p.name: p.status for p in plugins.plugin_report()}["exploding"] == "failed"
    finally:
        plugins.unregister_plugin("exploding")


def test_first_party_plugins_load_through_entry_points_and_hooks_are_spelled_right() -> None:
    plugins.reset_for_tests()
    with warnings.catch_warnings():
        warnings.simplefilter("error", plugins.PluginWarning)
        router = tryon.Router()
    pm = plugins.get_plugin_manager()
    pm.check_pending()  # a misspelt hook in any loaded plugin fails here
    assert pm.get_plugin("openai") is not None
    assert {m.provider for m in router.models()} >= {"openai"}


def test_misspelt_hook_fails_check_pending() -> None:
    class Typo:
        @tryon.hookimpl
        def register_generator(self, register):  # type: ignore[no-untyped-def]  # missing "s"
            pass

    plugins.register_plugin(Typo(), "typo")
    try:
        with pytest.raises(pluggy.PluginValidationError, match="unknown hook"):
            plugins.get_plugin_manager().check_pending()
    finally:
        plugins.unregister_plugin("typo")


def test_import_tryon_imports_no_sdk_and_no_pillow() -> None:
    code = ("import sys, tryon; r = tryon.Router(); "
            "bad = [m for m in ('openai', 'PIL', 'httpx', 'requests') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_env_var_naming_an_unknown_plugin_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(plugins.ENV_VAR, "openai,nosuch")
    plugins.reset_for_tests()
    with pytest.warns(plugins.PluginWarning, match="'nosuch'"):
        router = tryon.Router()
    assert "gpt-image-2.6-sunburst" in router
    plugins.reset_for_tests()


def test_models_are_attributed_to_the_plugin_that_registered_them(third_party: Path) -> None:
    with pytest.warns(plugins.PluginWarning):
        router = tryon.Router()
    assert router.info("acme-1").plugin == "acme"  # the generator itself knows nothing of its plugin
    assert router.info("gpt-image-2.6-sunburst").plugin == "openai"
