"""The ``tryon`` command line: click's CliRunner against the OpenAI emulator, plus real subprocesses."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import click
import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageDraw

import tryon
from tryon import capability_table
from tryon.cli.app import build_cli
from tryon.plugins import plugin_report, register_plugin, reset_for_tests, unregister_plugin
from tryon.router import ModelInfo

KEY = "sk-cli-test-0123456789abcdef"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


def lines(text: str) -> list[str]:
    """stderr without plugin-loading warnings and progress lines (shown when a call takes a while)."""
    return [line for line in text.splitlines()
            if not line.startswith("warning: tryon plugin") and not line.endswith("... failed")]


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (512, 384), (180, 120, 90)).save("person.jpg", "JPEG")
    mask = Image.new("L", (512, 384), 255)
    ImageDraw.Draw(mask).rectangle((0, 0, 255, 383), fill=0)  # left half = edit
    mask.save("mask.png")
    return tmp_path


# --------------------------------------------------------------------------- the group


def test_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for name in ("generate", "edit", "models", "plugins", "demo", "emulator"):
        assert f"  {name} " in result.stdout


def test_version() -> None:
    assert invoke("--version").stdout == f"tryon {tryon.__version__}\n"


def test_help_imports_neither_pillow_nor_the_sdk() -> None:
    code = ("import sys; from tryon.cli import main; rc = main(['--help']); "
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('PIL', 'openai')); "
            "print(heavy, file=sys.stderr); sys.exit(rc or bool(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


class _CommandsPlugin:
    @tryon.hookimpl
    def register_commands(self, cli: click.Group) -> None:
        @cli.command()
        def hello() -> None:
            """Say hello."""
            click.echo("hello from a plugin")


class _BrokenCommandsPlugin:
    @tryon.hookimpl
    def register_commands(self, cli: click.Group) -> None:
        raise RuntimeError("this plugin is broken")


@pytest.fixture
def command_plugins() -> Iterator[None]:
    register_plugin(_BrokenCommandsPlugin(), "broken-commands")
    register_plugin(_CommandsPlugin(), "hello-commands")
    yield
    unregister_plugin("hello-commands")
    unregister_plugin("broken-commands")


@pytest.mark.filterwarnings("ignore::tryon.plugins.PluginWarning")
def test_plugins_add_commands_and_a_broken_one_is_isolated(command_plugins: None) -> None:
    assert invoke("hello").stdout == "hello from a plugin\n"
    report = {p.name: p for p in plugin_report()}
    assert report["broken-commands"].status == "failed"
    assert "this plugin is broken" in (report["broken-commands"].error or "")


# --------------------------------------------------------------------------- generate / edit


def test_generate_saves_images_and_prints_their_paths(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "A leather jacket", "--background", "transparent", "-n", "2", "-o", "out")
    assert result.exit_code == 0, result.output
    paths = result.stdout.splitlines()
    assert paths == ["out/a-leather-jacket.png", "out/a-leather-jacket-1.png"]
    assert all((inputs / p).is_file() for p in paths)
    params = openai_emulator.last_request.params
    assert (params["model"], params["background"], params["n"]) == ("gpt-image-2.6-sunburst", "transparent", 2)
    assert "saved 2 image(s) from gpt-image-2.6-sunburst (openai); cost $" in result.stderr


def test_every_common_option_reaches_the_provider(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "A jacket", "-m", "gpt-image-2", "--size", "2048x1152", "--quality", "low",
                    "--output-format", "webp", "--output-compression", "80", "--moderation", "low",
                    "--option", "user=alice", "-o", "out")
    assert result.exit_code == 0, result.output
    params = openai_emulator.last_request.params
    assert {k: params[k] for k in ("model", "size", "quality", "output_format", "output_compression",
                                   "moderation", "user")} == {
        "model": "gpt-image-2", "size": "2048x1152", "quality": "low", "output_format": "webp",
        "output_compression": 80, "moderation": "low", "user": "alice"}
    assert result.stdout.strip().endswith(".webp")


def test_partial_failure_saves_what_succeeded_and_says_so(inputs: Path, openai_emulator: Any) -> None:
    openai_emulator.fail_next(400, message="one call refused")  # not retried: one of the two calls fails
    result = invoke("generate", "Twelve bags", "-n", "12", "-o", "out")
    assert result.exit_code == 1
    saved = result.stdout.split()
    assert len(saved) in (2, 10) and all(Path(p).is_file() for p in saved)
    assert f"the {len(saved)} image(s) that succeeded were saved" in result.stderr
    assert ".generation" not in result.stderr


@pytest.mark.parametrize("damage", ["truncated", "undecodable", "no images"])
def test_a_broken_image_in_a_200_is_never_saved_as_success(inputs: Path, openai_emulator: Any, damage: str) -> None:
    import base64

    from tryon.testing.synth import synth_image

    png = synth_image(1024, 1024, "png", transparent=False, seed_text="cli")
    data = {"truncated": [{"b64_json": base64.b64encode(png[: len(png) // 3]).decode()}],
            "undecodable": [{"b64_json": base64.b64encode(png[:40] + b"\0" * 500).decode()}],
            "no images": []}[damage]
    openai_emulator.fail_next(200, body={"created": 1, "data": data})
    result = invoke("generate", "A fox", "-o", "out")
    assert result.exit_code == 1 and result.stdout == ""
    assert not Path("out").exists() or list(Path("out").iterdir()) == []
    assert "error: openai/gpt-image-2.6-sunburst: " in result.stderr


def test_a_retired_model_is_refused_unless_allowed(inputs: Path, openai_emulator: Any) -> None:
    refused = CliRunner().invoke(build_cli(), ["generate", "A fox", "-m", "gpt-image-1", "-o", "out"])
    assert refused.exit_code == 2 and "shut down on 2026-10-23" in refused.output
    assert openai_emulator.requests == []
    sent = CliRunner().invoke(build_cli(), ["generate", "A fox", "-m", "gpt-image-1", "--allow-retired"])
    # the emulator (like OpenAI) no longer serves it: the service's answer, after one request
    assert sent.exit_code == 2 and "no longer serves gpt-image-1" in sent.output
    assert len(openai_emulator.requests) == 1


def test_a_partly_broken_answer_saves_only_the_complete_images(inputs: Path, openai_emulator: Any) -> None:
    import base64

    from tryon.testing.synth import synth_image

    png = synth_image(1024, 1024, "png", transparent=False, seed_text="cli")
    good, bad = base64.b64encode(png).decode(), base64.b64encode(png[:-100]).decode()
    openai_emulator.fail_next(200, body={"created": 1, "data": [{"b64_json": good}, {"b64_json": bad}]})
    result = invoke("generate", "Two foxes", "-n", "2", "-o", "out")
    assert result.exit_code == 1
    saved = result.stdout.split()
    assert len(saved) == 1 and Path(saved[0]).read_bytes() == png
    assert "image 1 is unusable: the PNG is truncated" in result.stderr


def test_dry_run_checks_every_model_of_a_preference_list(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "x", "-m", "gpt-image-2.6-sunburst", "-m", "nosuch-model", "--dry-run")
    assert result.exit_code == 2 and "unknown model 'nosuch-model'" in result.stderr
    assert openai_emulator.requests == []


def test_text_options_stay_text(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "A jacket", "--option", "safety_identifier=12345", "-o", "out")
    assert result.exit_code == 0, result.output
    assert openai_emulator.last_request.params["safety_identifier"] == "12345"


def test_results_are_never_overwritten(inputs: Path, openai_emulator: Any) -> None:
    first = invoke("generate", "A fox", "--name", "fox", "-o", "out")
    second = invoke("generate", "A fox", "--name", "fox", "-o", "out")
    assert first.stdout.split() + second.stdout.split() == ["out/fox.png", "out/fox-1.png"]


def test_edit_sends_the_inputs_and_the_mask_as_alpha(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("edit", "person.jpg", "person.jpg", "--prompt", "Red hat", "--mask", "mask.png",
                    "--quality", "low", "-o", "out")
    assert result.exit_code == 0, result.output
    request = openai_emulator.last_request
    assert len(request.files["image[]"]) == 2
    assert request.params["quality"] == "low"
    alpha = request.files["mask"][0].image().getchannel("A")
    assert (alpha.getpixel((10, 10)), alpha.getpixel((500, 10))) == (0, 255)


def test_dry_run_sends_nothing(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("edit", "person.jpg", "--prompt", "Red hat", "--mask", "mask.png", "-n", "12",
                    "--quality", "high", "--dry-run")
    assert result.exit_code == 0, result.output
    assert openai_emulator.requests == []
    out = result.stdout
    assert out.startswith("dry run: nothing was sent\n")
    assert "model:     gpt-image-2.6-sunburst (openai)" in out
    assert "images:    person.jpg (jpeg, 512x384)" in out and "mask:      mask.png (png, 512x384)" in out
    assert "calls:     2" in out and "estimate:  $" in out
    assert not Path("tryon-output").exists()


def test_dry_run_json_and_a_preference_list(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("edit", "person.jpg", "--prompt", "Red hat", "--input-fidelity", "high",
                    "-m", "gpt-image-2", "-m", "gpt-image-1.5", "--allow-retired", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["model"], report["sent"], report["options"]) == ("gpt-image-1.5", False,
                                                                    {"input_fidelity": "high"})
    assert report["skipped"][0].startswith("gpt-image-2: cannot honour the request")
    assert report["estimate"]["usd"] > 0
    assert openai_emulator.requests == []


def test_json_output(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "A fox", "--json", "--sidecar", "-o", "out", "--api-key", KEY,
                    "--base-url", openai_emulator.base_url)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["paths"] == ["out/a-fox.png"] and data["model"] == "gpt-image-2.6-sunburst"
    assert data["usage"]["total_tokens"] > 0 and data["cost_usd"] > 0 and data["warnings"] == []
    sidecar = json.loads(Path("out/a-fox.png.json").read_text())
    assert sidecar["prompt"] == "A fox"
    assert KEY not in result.output and KEY not in Path("out/a-fox.png.json").read_text()


def test_stream_saves_partial_images_as_they_arrive(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "A fox", "--stream", "--partial-images", "2", "--json", "-o", "out")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["paths"] == ["out/a-fox.png"]
    assert data["partial_paths"] == ["out/a-fox.partial-0.png", "out/a-fox.partial-1.png"]
    assert all(Path(p).is_file() for p in data["partial_paths"])
    assert openai_emulator.last_request.params["stream"] is True


def test_streamed_partials_are_named_after_their_final_image(inputs: Path, openai_emulator: Any) -> None:
    def run() -> dict[str, Any]:
        result = invoke("generate", "A fox", "--stream", "-n", "2", "--partial-images", "1", "--json",
                        "-o", "out")
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.stdout))

    first, second = run(), run()
    assert first["paths"] == ["out/a-fox.png", "out/a-fox-1.png"]
    assert sorted(first["partial_paths"]) == ["out/a-fox-1.partial-0.png", "out/a-fox.partial-0.png"]
    assert second["paths"] == ["out/a-fox-2.png", "out/a-fox-3.png"]  # nothing is overwritten
    assert sorted(second["partial_paths"]) == ["out/a-fox-2.partial-0.png", "out/a-fox-3.partial-0.png"]
    assert len(list(Path("out").iterdir())) == 8


def test_contact_sheet_of_the_saved_images(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "A fox", "-n", "2", "--contact-sheet", "-o", "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["out/a-fox.png", "out/a-fox-1.png"]  # stdout holds the images only
    assert "contact sheet: out/contact-sheet.png" in result.stderr
    with Image.open("out/contact-sheet.png") as sheet:
        assert sheet.size == (2 * (256 + 8) + 8, 26 + 256 + 18 + 2 * 8)  # title, 2 thumbnails, labels
        assert sheet.convert("RGB").getpixel((7, 26 + 7)) == (160, 160, 160)  # the thumbnail's frame
    again = invoke("edit", "person.jpg", "--prompt", "x", "--contact-sheet", "--json", "-o", "out")
    assert json.loads(again.stdout)["contact_sheet"] == "out/contact-sheet-1.png"


def test_contact_sheet_frames_white_images() -> None:
    from tryon.media import contact_sheet

    white = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 255, 255)).save(white, "PNG")
    with Image.open(io.BytesIO(contact_sheet([white.getvalue()], thumb=32))) as sheet:
        rgb = sheet.convert("RGB")
        assert rgb.getpixel((7, 7)) == rgb.getpixel((40, 40)) == (160, 160, 160)  # a 1-px grey frame
        assert rgb.getpixel((8, 8)) == rgb.getpixel((6, 6)) == (255, 255, 255)  # image inside, page outside


def test_batch_contact_sheet(inputs: Path, openai_emulator: Any) -> None:
    Path("jobs.jsonl").write_text(
        json.dumps({"prompt": "A hat", "name": "hat"}) + "\n"
        + json.dumps({"prompt": "A scarf", "name": "scarf", "options": {"n": 2}}) + "\n")
    result = invoke("batch", "jobs.jsonl", "-o", "catalog", "--contact-sheet", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["contact_sheet"] == "catalog/contact-sheet.png"
    with Image.open("catalog/contact-sheet.png") as sheet:
        assert sheet.size == (2 * (256 + 8) + 8, 26 + 2 * (256 + 18 + 8) + 8)  # 3 images: a 2x2 grid


def test_lenient_adapts_and_reports(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("edit", "person.jpg", "--prompt", "x", "-m", "gpt-image-2", "--input-fidelity", "high",
                    "--lenient", "-o", "out")
    assert result.exit_code == 0, result.output
    assert "input_fidelity" not in openai_emulator.last_request.params
    assert "warning: input_fidelity='high' dropped" in result.stderr


# --------------------------------------------------------------------------- errors and exit codes


@pytest.mark.parametrize(("args", "message"), [
    (["generate", "x", "--size", "999x999"], "error: gpt-image-2.6-sunburst does not support size='999x999'"),
    (["generate", "x", "--model", "gpt-imag-1.5"], "error: unknown model 'gpt-imag-1.5'; did you mean"),
    (["generate", "x", "--bogus"], "error: No such option '--bogus'."),
    (["generate", "x", "--background", "neon"], "error: Invalid value for '--background'"),
    (["generate", "x", "--option", "nonsense"], "error: Invalid value for '--option'"),
    (["edit", "nothere.jpg", "--prompt", "x"], "error: no such file: 'nothere.jpg'"),
    (["models", "--supports", "wings"], "error: unknown feature 'wings'"),
])
def test_user_errors_are_one_line_and_exit_2(inputs: Path, openai_emulator: Any, args: list[str],
                                             message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    (line,) = lines(result.stderr)
    assert line.startswith(message)
    assert openai_emulator.requests == []


@pytest.mark.parametrize("extra", [[], ["--stream"]])
def test_unusable_output_dir_is_refused_before_sending(inputs: Path, openai_emulator: Any,
                                                       extra: list[str]) -> None:
    result = invoke("generate", "x", "-o", "person.jpg/out", *extra)
    assert result.exit_code == 2
    (line,) = lines(result.stderr)
    assert line.startswith("error: Invalid value for '-o' / '--output-dir': directory 'person.jpg/out': "
                           "cannot create it: Not a directory")
    assert openai_emulator.requests == []


def test_a_refused_request_leaves_no_empty_output_dir(inputs: Path, openai_emulator: Any) -> None:
    assert invoke("generate", "x", "--size", "999x999", "-o", "new/out").exit_code == 2
    assert not Path("new").exists()
    assert invoke("generate", "x", "-o", "new/out").exit_code == 0
    assert len(list(Path("new/out").iterdir())) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["-m", "flux-2-pro"], "error: flux-2-pro does not support streaming"),
    (["--partial-images", "5"], "error: gpt-image-2.6-sunburst streams at most 3 partial images (asked for 5)"),
])
def test_stream_errors_are_one_line(inputs: Path, openai_emulator: Any, args: list[str],
                                    message: str) -> None:
    result = invoke("generate", "x", "--stream", *args)
    assert result.exit_code == 2
    (line,) = lines(result.stderr)
    assert line.startswith(message)
    assert openai_emulator.requests == []


def test_dry_run_checks_local_inputs_next_to_urls(inputs: Path, openai_emulator: Any) -> None:
    Path("notes.txt").write_text("not an image")
    Image.new("L", (300, 300), 0).save("square.png")
    bad_mask = invoke("edit", "https://example.com/a.png", "--mask", "notes.txt", "--prompt", "x",
                      "--dry-run")
    assert bad_mask.exit_code == 2
    assert lines(bad_mask.stderr)[0].startswith("error: ") and "notes.txt" in bad_mask.stderr
    bad_image = invoke("edit", "https://example.com/a.png", "notes.txt", "--prompt", "x", "--dry-run")
    assert bad_image.exit_code == 2 and "image 2 of 2" in bad_image.stderr
    wrong_ratio = invoke("edit", "person.jpg", "https://example.com/a.png", "--mask", "square.png",
                         "--prompt", "x", "--dry-run")
    assert wrong_ratio.exit_code == 2
    assert "the mask must have the image's size" in wrong_ratio.stderr
    ok = invoke("edit", "person.jpg", "https://example.com/a.png", "--mask", "mask.png", "--prompt", "x",
                "--dry-run")
    assert ok.exit_code == 0, ok.output
    assert ("images:    person.jpg (jpeg, 512x384); https://example.com/a.png (URLs not fetched)"
            in ok.stdout)
    assert "mask:      mask.png (png, 512x384)" in ok.stdout
    assert openai_emulator.requests == []


def test_hints_name_cli_flags(inputs: Path, openai_emulator: Any) -> None:
    from tryon.capabilities import Capabilities
    from tryon.media.limits import InputLimits
    from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator

    private = invoke("edit", f"{openai_emulator.base_url}/a.png", "--prompt", "x")
    assert private.exit_code == 2
    (line,) = lines(private.stderr)
    assert "--allow-private-urls" in line and "allow_private=True" not in line

    caps: Capabilities = attrs.evolve(FAKE_CAPABILITIES, inputs=InputLimits(max_pixels=100 * 100))
    small = FakeGenerator("small-inputs-1", capabilities=caps)

    class SmallPlugin:
        @tryon.hookimpl
        def register_generators(self, register: Any) -> None:
            register(small)

    register_plugin(SmallPlugin(), "small-inputs")
    try:
        large = invoke("edit", "person.jpg", "--prompt", "x", "-m", "small-inputs-1", "--dry-run")
        lenient = invoke("edit", "person.jpg", "--prompt", "x", "-m", "small-inputs-1", "--dry-run",
                         "--lenient")
    finally:
        unregister_plugin("small-inputs")
    assert large.exit_code == 2
    (line,) = lines(large.stderr)
    assert "(--lenient)" in line and "strict=False" not in line
    assert lenient.exit_code == 0, lenient.output


def test_missing_key_names_the_variable_and_the_option(inputs: Path, openai_emulator: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    result = invoke("generate", "x")
    assert result.exit_code == 2
    assert lines(result.stderr) == [
        "error: no API key for openai: set the OPENAI_API_KEY environment variable or pass --api-key=... "
        "(nothing was sent)"]


def test_provider_errors_exit_1_and_never_show_the_key(inputs: Path, openai_emulator: Any) -> None:
    openai_emulator.fail_next(401)
    result = invoke("generate", "x", "--api-key", KEY)
    assert result.exit_code == 1
    (line,) = lines(result.stderr)
    assert line.startswith("error: openai/gpt-image-2.6-sunburst: authentication failed")
    assert KEY not in result.output


def test_partial_results_are_saved_then_exit_1(inputs: Path, openai_emulator: Any) -> None:
    openai_emulator.fail_next(400)  # one of the two calls of n=12 fails
    result = invoke("generate", "x", "-n", "12", "--quality", "low", "-o", "out")
    assert result.exit_code == 1
    paths = result.stdout.splitlines()
    assert len(paths) in (2, 10) and all(Path(p).is_file() for p in paths)
    assert len(list(Path("out").iterdir())) == len(paths)
    assert "error: 1 of the calls failed" in result.stderr


def test_api_key_for_models_of_several_providers_is_refused(openai_emulator: Any) -> None:
    from tryon.testing.fake import FakeGenerator

    fake = FakeGenerator("fake-image-1")

    class FakePlugin:
        @tryon.hookimpl
        def register_generators(self, register: Any) -> None:
            register(fake)

    register_plugin(FakePlugin(), "fake-provider")
    try:
        result = invoke("generate", "x", "-m", "gpt-image-2.6-sunburst", "-m", "fake-image-1", "--api-key", KEY)
    finally:
        unregister_plugin("fake-provider")
    assert result.exit_code == 2
    assert "models belong to several (fake, openai)" in result.stderr


def test_subprocess_exit_codes_and_no_traceback(inputs: Path, openai_emulator: Any) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tryon.cli", *args], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "TRYON_PLUGINS": "openai"})

    ok = run("generate", "A fox", "-o", "out")
    assert ok.returncode == 0 and ok.stdout == "out/a-fox.png\n", ok.stderr
    bad = run("generate", "A fox", "--quality", "ultra")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.splitlines() == [
        "error: gpt-image-2.6-sunburst does not support quality='ultra' (accepted: auto, high, low, medium)"]
    openai_emulator.fail_next(400, message="Rejected by the service.")
    failed = run("generate", "A fox")
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert failed.stderr.splitlines()[-1].startswith("error: openai/gpt-image-2.6-sunburst: Rejected by the service.")


# --------------------------------------------------------------------------- models


def test_models_supports_filters_by_every_feature() -> None:
    result = invoke("models", "--supports", "mask,transparent_background", "--supports", "input_fidelity",
                    "--provider", "openai", "--json")
    rows = json.loads(result.stdout)
    assert {"gpt-image-1.5", "gpt-image-1"} <= {r["model"] for r in rows}  # only retired models have it now
    assert "gpt-image-2" not in {r["model"] for r in rows}  # no input fidelity control
    assert all(r["mask"] and r["transparent_background"] and r["input_fidelity"] for r in rows)


def test_models_table_and_one_model_in_full() -> None:
    table = invoke("models", "--provider", "openai").stdout
    assert table.splitlines()[0].split()[:3] == ["Model", "Provider", "Status"]
    assert any(line.startswith("gpt-image-1 ") and " retired " in line for line in table.splitlines())
    detail = invoke("models", "gpt-image-1").stdout
    assert "Lifecycle: gpt-image-1 is retired: shut down on 2026-10-23; use gpt-image-2.5-sunburst" in detail
    assert "Shutdown on:            2026-10-23" in detail and "Sources:" in detail
    assert "Provider options:       safety_identifier (str | None), user (str | None)" in detail
    data = json.loads(invoke("models", "gpt-image-2", "--json").stdout)
    assert data["input_fidelity"] == [] and data["max_resolution"] == "3840×2160"
    assert data["inputs"]["max_count"] == 16 and data["lifecycle"]["status"] == "active"


def _dated_model() -> tuple[str, Any]:
    dated = [m for m in tryon.Router().models() if m.capabilities.lifecycle.shutdown_on is not None]
    assert dated, "some bundled model declares a shutdown date"
    return dated[0].model, dated[0].capabilities.lifecycle


def test_models_retiring_lists_what_shuts_down_in_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    import tryon.lifecycle

    model, life = _dated_model()
    monkeypatch.setattr(tryon.lifecycle, "today", lambda: life.shutdown_on - dt.timedelta(days=10))
    for window in ("30d", "2w", (life.shutdown_on + dt.timedelta(days=1)).isoformat()):
        out = invoke("models", "--retiring", window).stdout
        assert out.splitlines()[0].split()[:5] == ["Model", "Provider", "Status", "Deprecated", "Shutdown"]
        row = next(line for line in out.splitlines() if line.startswith(model + " "))
        assert life.shutdown_on.isoformat() in row and " 10 " in row
        assert all(s in row for s in life.successors)
    rows = json.loads(invoke("models", "--retiring", "90d", "--json").stdout)
    mine = next(r for r in rows if r["model"] == model)
    assert mine["shutdown_on"] == life.shutdown_on.isoformat() and mine["days_left"] == 10
    assert mine["successors"] == list(life.successors)
    assert model not in invoke("models", "--retiring", "1w").stdout
    assert [m.model for m in tryon.models(retiring="30d") if m.model == model] == [model]


def test_models_retiring_refuses_a_bad_window() -> None:
    result = CliRunner().invoke(build_cli(), ["models", "--retiring", "soon"])
    assert result.exit_code != 0 and "90d, 30d, 2w or an ISO date" in result.output


def test_models_json_shows_lifecycle_dates_and_sources() -> None:
    model, life = _dated_model()
    data = json.loads(invoke("models", model, "--json").stdout)
    assert data["lifecycle"]["shutdown_on"] == life.shutdown_on.isoformat()
    assert data["lifecycle"]["successors"] == list(life.successors)
    assert isinstance(data["sources"], dict) and isinstance(data["unsourced"], list)
    assert isinstance(data["unverified"], list)


def test_models_markdown_compare_reproduces_the_seed_table() -> None:
    result = invoke("models", "--markdown", "--compare", "gpt-image-1.5,gpt-image-1,gpt-image-2")
    assert result.stdout == (
        "| Feature | gpt-image-1.5 | gpt-image-1 | gpt-image-2 |\n"
        "|---|---|---|---|\n"
        "| Max Resolution | 1536×1024 | 1536×1024 | 3840×2160 |\n"
        "| Transparent BG | ✅ | ✅ | ✅ |\n"
        "| Multi-Image Input | ✅ | ✅ | ✅ |\n"
        "| Input Fidelity Control | ✅ | ✅ | ❌ |\n"
        "| Mask Editing | ✅ | ✅ | ✅ |\n")


def test_comparison_cells_come_from_the_declarations() -> None:
    from tryon.sizes import SizeRule, Sizes

    flux_like = ModelInfo("flux-like", "fake", tryon.Capabilities(
        operations={"generate", "edit"}, max_input_images=8, input_fidelity={"low", "high"},
        sizes=Sizes.any(SizeRule(multiple_of=16, min_edge=64))))
    banana_like = ModelInfo("banana-like", "fake", tryon.Capabilities(
        operations={"generate", "edit"}, max_input_images=3, max_resolution="4096x4096"))
    single = ModelInfo("single", "fake", tryon.Capabilities(
        operations={"generate", "edit"}, max_input_images=1, transparent_background=True, mask=True))
    assert capability_table.comparison_markdown([flux_like, banana_like, single]).splitlines()[2:] == [
        "| Max Resolution | custom | 4096×4096 | — |",
        "| Transparent BG | ❌ | ❌ | ✅ |",
        "| Multi-Image Input | ✅ | ✅ | ❌ |",
        "| Input Fidelity Control | ✅ | ❌ | ❌ |",
        "| Mask Editing | ❌ | ❌ | ✅ |",
    ]


def test_capabilities_document_write_and_check(tmp_path: Path) -> None:
    path = tmp_path / "capabilities.md"
    assert capability_table.main(["--check", str(path)]) == 1  # missing = stale
    assert capability_table.main(["--write", str(path)]) == 0
    assert capability_table.main(["--check", str(path)]) == 0
    text = path.read_text()
    assert "| gpt-image-2.6-sunburst | openai | active |" in text and "### gpt-image-2\n" in text
    path.write_text(text.replace("3840×2160", "4096×4096"))
    assert capability_table.main(["--check", str(path)]) == 1


# --------------------------------------------------------------------------- plugins


@pytest.fixture
def broken_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installed distribution whose ``tryon`` entry point cannot be imported."""
    site = tmp_path / "site"
    dist = site / "tryon_broken-0.3.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tryon-broken\nVersion: 0.3\n")
    (dist / "entry_points.txt").write_text("[tryon]\nbroken = tryon_broken_plugin_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("TRYON_PLUGINS", "openai,broken")
    reset_for_tests()
    yield site
    reset_for_tests()


@pytest.mark.filterwarnings("ignore::tryon.plugins.PluginWarning")
def test_plugins_lists_loaded_and_failed_plugins(broken_entry_point: Path) -> None:
    result = invoke("plugins", "--json")
    assert result.exit_code == 0
    report = {p["name"]: p for p in json.loads(result.stdout)}
    assert report["openai"]["status"] == "loaded" and "register_generators" in report["openai"]["hooks"]
    broken = report["broken"]
    assert (broken["status"], broken["distribution"], broken["version"]) == ("failed", "tryon-broken", "0.3")
    assert "No module named 'tryon_broken_plugin_that_does_not_exist'" in broken["error"]
    text = invoke("plugins").stdout
    assert "broken 0.3 (tryon-broken): failed\n  error: ModuleNotFoundError" in text


def test_plugins_subprocess_lists_a_broken_plugin(broken_entry_point: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(broken_entry_point), *sys.path])}
    result = subprocess.run([sys.executable, "-m", "tryon.cli", "plugins"], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert "broken 0.3 (tryon-broken): failed" in result.stdout
    assert "openai" in result.stdout and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- emulator


def test_emulator_command_serves_the_openai_api(tmp_path: Path) -> None:
    from openai import OpenAI

    with subprocess.Popen([sys.executable, "-m", "tryon.cli", "emulator", "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "TRYON_PLUGINS": "openai"}) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert first.startswith("OpenAI Images API emulator listening on http://127.0.0.1:")
            base_url = first.rsplit(" ", 1)[1].strip()
            with OpenAI(base_url=base_url, api_key="emulator-key", max_retries=0) as client:
                response = client.images.generate(model="gpt-image-2.6-sunburst", prompt="a fox", size="1024x1024")
            assert response.data and response.data[0].b64_json
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_emulator_command_rejects_an_unknown_provider() -> None:
    result = invoke("emulator", "--provider", "acme")
    assert result.exit_code == 2
    assert "no emulator for 'acme'; available: " in result.stderr and "openai" in result.stderr
