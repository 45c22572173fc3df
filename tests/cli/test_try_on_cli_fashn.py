"""``tryon try-on`` on a dedicated try-on model: FASHN through its emulator (the README-style command)."""

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
    return tmp_path


def test_the_issue_s_command_runs_on_fashn(inputs: Path, fashn_emulator: Any) -> None:
    fashn_emulator.pending_polls = 0
    result = invoke("try-on", "person.jpg", "shirt.png", "--category", "top", "-m", "fashn-tryon-v1.6", "-o", "out/",
                    "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "fashn-tryon-v1.6" and len(data["paths"]) == 1
    with Image.open(data["paths"][0]) as img:
        assert img.size == (864, 1296)
    sent = fashn_emulator.runs[-1].params
    assert sent["model_name"] == "tryon-v1.6" and sent["inputs"]["category"] == "tops"


def test_a_category_fashn_does_not_take_exits_2_and_sends_nothing(inputs: Path, fashn_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "--category", "shoes", "-m", "fashn-tryon-v1.6")
    assert result.exit_code == 2 and "shoes" in result.stderr and "fashn-tryon-max" in result.stderr
    assert fashn_emulator.requests == []


def test_a_dry_run_prices_fashn_in_credits(inputs: Path, fashn_emulator: Any) -> None:
    result = invoke("try-on", "person.jpg", "shirt.png", "-m", "fashn-tryon-max", "-n", "2", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "10 credits at $0.075" in result.stdout and fashn_emulator.requests == []
