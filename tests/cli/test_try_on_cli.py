"""``tryon try-on``: click's CliRunner against the OpenAI emulator (composition on GPT-Image)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from tryon.cli.app import build_cli


def invoke(*args: str) -> Result:
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (512, 768), (180, 120, 90)).save("person.jpg", "JPEG")
    Image.new("RGB", (384, 384), (20, 60, 200)).save("shirt.png")
    Image.new("RGB", (384, 512), (10, 10, 90)).save("jeans.png")
    return tmp_path


def test_try_on_saves_the_images_with_a_sidecar(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "jeans.png", "-c", "top", "-c", "trousers",
                    "-m", "gpt-image-2.6-sunburst", "-o", "out", "--json", "--sidecar", "--quality", "low")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["paths"] == ["out/try-on.png"] and data["model"] == "gpt-image-2.6-sunburst"
    request = openai_emulator.last_request
    assert [f.data for f in request.files["image[]"]] == [Path(p).read_bytes()
                                                           for p in ("person.jpg", "shirt.png", "jeans.png")]
    assert "the top from image 2 and the trousers from image 3" in request.params["prompt"]
    sidecar = json.loads(Path("out/try-on.png.json").read_text())
    assert sidecar["operation"] == "try_on" and sidecar["options"]["categories"] == ["top", "trousers"]


def test_one_category_tags_every_garment_and_names_follow_the_stem(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "-c", "outerwear", "-n", "2", "-o", "out",
                    "--name", "look")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["out/look.png", "out/look-1.png"]
    assert "Image 2 shows outerwear" in openai_emulator.last_request.params["prompt"]


def test_dry_run_sends_nothing_and_shows_the_inputs_and_the_estimate(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "--category", "top", "--dry-run", "-n", "12")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("dry run: nothing was sent\n")
    assert "operation: try_on" in out and "prompt:    Virtual try-on. Image 1 shows the person." in out
    assert "(rendered from the try-on template; your prompt: (none))" in out
    assert "images:    person.jpg (jpeg, 512x768); shirt.png (png, 384x384)" in out
    assert "categories=['top']" in out and "calls:     2" in out and "estimate:  $" in out
    assert openai_emulator.requests == [] and not Path("tryon-output").exists()


def test_dry_run_json_skips_what_cannot_serve(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "-c", "top", "--mask-prompt", "the shirt",
                    "-m", "gpt-image-2.6-sunburst", "--dry-run", "--json")
    assert result.exit_code == 2
    assert "does not take mask_prompt for try-on" in result.stderr
    result = invoke("try-on", "person.jpg", "shirt.png", "-c", "top", "--garment-photo-type", "flat-lay",
                    "-m", "gemini-3-pro-image", "-m", "gpt-image-2.6-sunburst", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["operation"] == "try_on" and report["sent"] is False
    assert report["options"] == {"garment_photo_type": "flat-lay", "categories": ["top"]}
    assert openai_emulator.requests == []


def test_a_budget_refuses_before_sending(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "-c", "top", "-n", "8", "--quality", "high",
                    "--max-cost", "0.05")
    assert result.exit_code == 2
    assert "estimated" in result.stderr and openai_emulator.requests == []


@pytest.mark.parametrize(("args", "needle"), [
    (["-c", "topp"], "did you mean 'top'"),
    (["-c", "top", "-c", "bottom", "-c", "shoes"], "3 --category values for 1 garments"),
    (["--mode", "quality"], "does not support mode='quality'"),
    (["--prompt-template", "{person} {colour}"], "unknown field {colour}"),
])
def test_user_errors_are_one_line_and_exit_2(inputs: Path, openai_emulator: Any, args: list[str],
                                             needle: str) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", *args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert openai_emulator.requests == []


def test_dry_run_json_and_the_sidecar_show_the_prompt_sent(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "-c", "top", "-p", "Tuck it in.",
                    "-m", "gpt-image-2.6-sunburst",
                    "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["user_prompt"] == "Tuck it in."
    assert report["prompt"].startswith("Virtual try-on. Image 1") and report["prompt"].endswith("Tuck it in.")
    result = invoke("try-on", "person.jpg", "shirt.png", "-c", "top", "-p", "Tuck it in.",
                    "-m", "gpt-image-2.6-sunburst",
                    "-o", "out", "--sidecar", "--quality", "low")
    assert result.exit_code == 0, result.output
    sidecar = json.loads(Path("out/try-on.png.json").read_text())
    assert sidecar["prompt"] == openai_emulator.last_request.params["prompt"]
    assert sidecar["user_prompt"] == "Tuck it in."
