"""The seed's ``gpt_image.py`` command lines, run as written (subprocesses) against the OpenAI emulator."""

from __future__ import annotations

import importlib.util
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gpt_image", ROOT / "gpt_image.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gpt_image = _load_script()

# The "Command Line Usage" section of the seed's gpt-image.md, verbatim.
TEXT = 'python gpt_image.py --mode text --prompt "A female model in a traditional green saree" --size 1024x1024 --quality high'  # noqa: E501
TEXT_TRANSPARENT = 'python gpt_image.py --mode text --prompt "A female model in a traditional green saree" --size 1024x1024 --quality high --background transparent --output_dir outputs/'  # noqa: E501
IMAGE = 'python gpt_image.py --mode image --prompt "change the flowers in the background" --images "person.jpg" --size 1536x1024 --quality medium --n 2'  # noqa: E501
IMAGE_HIGH_FIDELITY = 'python gpt_image.py --mode image --prompt "change the flowers in the background" --images "person.jpg" --size 1536x1024 --quality medium --inp_fid high'  # noqa: E501
MASK = 'python gpt_image.py --mode image --images "scene.png" --mask "mask.png" --prompt "Replace the masked area with a swimming pool"'  # noqa: E501


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The script and the files the command lines name."""
    shutil.copy(ROOT / "gpt_image.py", tmp_path / "gpt_image.py")
    Image.new("RGB", (640, 480), (180, 120, 90)).save(tmp_path / "person.jpg", "JPEG")
    Image.new("RGB", (512, 512), (40, 160, 60)).save(tmp_path / "scene.png", "PNG")
    mask = Image.new("L", (512, 512), 255)
    ImageDraw.Draw(mask).rectangle((0, 256, 511, 511), fill=0)  # the lower half is edited
    mask.save(tmp_path / "mask.png", "PNG")
    return tmp_path


def run(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(line)
    assert argv[:2] == ["python", "gpt_image.py"]
    return subprocess.run([sys.executable, *argv[1:]], cwd=cwd, capture_output=True, text=True, timeout=120)


def saved(result: subprocess.CompletedProcess[str], cwd: Path) -> list[Path]:
    """The files the script said it wrote (one path per stdout line), checked to exist."""
    paths = [cwd / line for line in result.stdout.splitlines()]
    assert paths and all(p.is_file() for p in paths), result
    return paths


def test_text_to_image(workdir: Path, openai_emulator: Any) -> None:
    result = run(TEXT, workdir)
    assert result.returncode == 0, result.stderr
    params = openai_emulator.last_request.params
    assert params["model"] == "gpt-image-2.6-sunburst"
    assert params["prompt"] == "A female model in a traditional green saree"
    assert (params["size"], params["quality"], params["background"]) == ("1024x1024", "high", "opaque")
    (path,) = saved(result, workdir)
    assert path == workdir / "outputs" / "generated.png"
    with Image.open(path) as im:
        assert im.size == (1024, 1024)


def test_transparent_background_and_output_dir(workdir: Path, openai_emulator: Any) -> None:
    result = run(TEXT_TRANSPARENT, workdir)
    assert result.returncode == 0, result.stderr
    assert openai_emulator.last_request.params["background"] == "transparent"
    (path,) = saved(result, workdir)
    assert path.parent == workdir / "outputs"
    with Image.open(path) as im:
        assert im.mode == "RGBA" and im.getchannel("A").getextrema()[0] == 0


def test_image_to_image_with_two_results(workdir: Path, openai_emulator: Any) -> None:
    result = run(IMAGE, workdir)
    assert result.returncode == 0, result.stderr
    request = openai_emulator.last_request
    assert request.path.endswith("/images/edits")
    sent = (request.params["size"], request.params["quality"], request.params["n"])
    assert sent == ("1536x1024", "medium", "2")  # multipart form values are text
    assert "input_fidelity" not in request.params  # the seed's default "low" is the service's default
    assert request.files["image"][0].data == (workdir / "person.jpg").read_bytes()
    paths = saved(result, workdir)
    assert [p.name for p in paths] == ["generated.png", "generated-1.png"]
    for path in paths:
        with Image.open(path) as im:
            assert im.size == (1536, 1024)


def test_image_to_image_with_high_input_fidelity(workdir: Path, openai_emulator: Any) -> None:
    # the default model (gpt-image-2.6-sunburst) has no input_fidelity: the seed's command still works
    result = run(IMAGE_HIGH_FIDELITY, workdir)
    assert result.returncode == 0, result.stderr
    assert "input_fidelity" not in openai_emulator.last_request.params
    assert "--inp_fid high is left out" in result.stderr
    assert len(saved(result, workdir)) == 1


def test_high_input_fidelity_is_sent_to_a_model_that_takes_it() -> None:
    argv = ["--mode", "image", "--prompt", "p", "--images", "a.jpg", "--inp_fid", "high", "--model", "gpt-image-1.5"]
    assert gpt_image.to_tryon_args(argv)[-2:] == ["--input-fidelity", "high"]


def test_mask_editing(workdir: Path, openai_emulator: Any) -> None:
    result = run(MASK, workdir)
    assert result.returncode == 0, result.stderr
    request = openai_emulator.last_request
    assert (request.params["size"], request.params["quality"]) == ("1024x1024", "high")  # the seed's defaults
    alpha = request.files["mask"][0].image().getchannel("A")
    assert alpha.getpixel((10, 400)) == 0  # black in mask.png -> transparent -> edited
    assert alpha.getpixel((10, 100)) == 255  # white -> opaque -> kept
    assert len(saved(result, workdir)) == 1


def test_earlier_results_are_never_overwritten(workdir: Path, openai_emulator: Any) -> None:
    first, second = run(TEXT, workdir), run(TEXT, workdir)
    names = [p.name for p in saved(first, workdir) + saved(second, workdir)]
    assert names == ["generated.png", "generated-1.png"]
    assert len(openai_emulator.requests) == 2


def test_missing_key_is_one_clear_line(workdir: Path, openai_emulator: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("TRYON_PLUGINS", "openai")  # stderr holds only what this request caused
    result = run(TEXT, workdir)
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if not line.endswith("... failed")] == [
        "error: no API key for openai: set the OPENAI_API_KEY environment variable (nothing was sent)"]
    assert openai_emulator.requests == []


def test_invalid_value_exits_2_without_a_request(workdir: Path, openai_emulator: Any) -> None:
    result = run(TEXT.replace("--size 1024x1024", "--size 999x999"), workdir)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "size='999x999'" in result.stderr
    assert openai_emulator.requests == []


# --------------------------------------------------------------------------- the translation


@pytest.mark.parametrize(("argv", "expected"), [
    (["--mode", "text", "--prompt", "p"],
     ["generate", "p", "--model", "gpt-image-2.6-sunburst", "--size", "1024x1024", "--quality", "high", "-n", "1",
      "--output-dir", "outputs", "--name", "generated", "--background", "opaque"]),
    (["--mode", "image", "--prompt", "p", "--images", "a.jpg", "b.jpg", "--inp_fid", "low", "--model",
      "gpt-image-2", "--size", "2048x1152"],
     ["edit", "a.jpg", "b.jpg", "--prompt", "p", "--model", "gpt-image-2", "--size", "2048x1152",
      "--quality", "high", "-n", "1", "--output-dir", "outputs", "--name", "generated"]),
    (["--mode", "image", "--prompt", "p", "--images", "a.jpg", "--mask", "m.png", "--background", "auto",
      "--inp_fid", "high"],
     ["edit", "a.jpg", "--prompt", "p", "--model", "gpt-image-2.6-sunburst", "--size", "1024x1024", "--quality",
      "high", "-n", "1", "--output-dir", "outputs", "--name", "generated", "--mask", "m.png", "--background",
      "auto"]),  # the default model has no input_fidelity: left out
])
def test_translation_to_the_tryon_command_line(argv: list[str], expected: list[str]) -> None:
    assert gpt_image.to_tryon_args(argv) == expected


@pytest.mark.parametrize(("argv", "message"), [
    (["--mode", "text"], "--prompt is required"),
    (["--mode", "image", "--prompt", "p"], "--mode image needs --images"),
    (["--mode", "text", "--prompt", "p", "--images", "a.jpg"], "--images and --mask need --mode image"),
    (["--mode", "text", "--prompt", "p", "--n", "11"], "--n must be from 1 to 10, got 11"),
    (["--prompt", "p", "--n", "0"], "--n must be from 1 to 10, got 0"),
    (["--prompt", "p", "--n", "two"], "argument --n: invalid int value: 'two'"),
    (["--mode", "image", "--prompt", "p", "--images", "a.jpg", "--inp_fid", "medium"],
     "argument --inp_fid: invalid choice: 'medium'"),
])
def test_incomplete_or_invalid_command_lines_are_one_error_line(argv: list[str], message: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        gpt_image.to_tryon_args(argv)
    assert info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {message}") and line.endswith("(see 'gpt_image.py --help')")
