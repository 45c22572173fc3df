"""``tryon demo``: end to end with no key and no internet (conftest's network guard allows loopback only)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

from tryon.cli.app import build_cli
from tryon.cli.demo import run_demo


def test_demo_command_writes_every_result_and_the_contact_sheet(tmp_path: Path) -> None:
    assert "OPENAI_API_KEY" not in os.environ and "OPENAI_BASE_URL" not in os.environ
    out = tmp_path / "demo"
    result = CliRunner().invoke(build_cli(), ["demo", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["1-text-to-image.png", "2-transparent-product-image.png", "3-masked-edit.png",
                     "4-multi-image-edit.png", "5-virtual-try-on.png", "contact-sheet.png", "mask.png"]
    assert f"contact sheet: {out / 'contact-sheet.png'}" in result.stdout
    assert "export OPENAI_API_KEY=" in result.stderr and "tryon generate" in result.stderr
    assert "[4/5] multi-image edit" in result.stderr and "[5/5] virtual try-on (composition)" in result.stderr
    with Image.open(out / "contact-sheet.png") as sheet:
        assert sheet.width > 6 * 200  # six tiles side by side


def test_demo_results_prove_each_feature(tmp_path: Path) -> None:
    result = run_demo(tmp_path)
    assert result.requests == 5
    paths = {label: p for label, (p,) in result.steps}
    assert list(paths) == ["text to image", "transparent product image", "masked edit (black = edit)",
                           "multi-image edit", "virtual try-on (composition)"]
    with Image.open(paths["transparent product image"]) as product:
        assert product.mode == "RGBA" and product.getchannel("A").getextrema()[0] == 0
    with Image.open(result.mask) as mask, Image.open(paths["text to image"]) as before, \
            Image.open(paths["masked edit (black = edit)"]) as after:
        changed = ImageChops.difference(before.convert("RGB"), after.convert("RGB")).convert("L")
        edit_area = mask.convert("L").point(lambda v: 255 if v < 128 else 0)
        keep_area = ImageChops.invert(edit_area)
        assert ImageChops.multiply(changed, keep_area).getbbox() is None  # white = kept exactly
        assert ImageChops.multiply(changed, edit_area).getbbox() is not None  # black = edited
    with Image.open(paths["multi-image edit"]) as combined:
        assert combined.size == (1536, 1024)
    with Image.open(paths["virtual try-on (composition)"]) as dressed:
        assert dressed.size == (1024, 1024)


def test_running_the_demo_twice_keeps_the_first_results(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    second = run_demo(tmp_path)
    assert first.contact_sheet.is_file() and second.contact_sheet.name == "contact-sheet-1.png"
    assert len(list(tmp_path.iterdir())) == 14


def test_demo_without_the_sdk_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)
    result = CliRunner().invoke(build_cli(), ["demo", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "error: the demo runs the real openai SDK: pip install 'tryon[openai]'" in result.stderr
    assert list(tmp_path.iterdir()) == []
