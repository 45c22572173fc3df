"""docs/writing-a-plugin.md: its files are the example package's files, and that package works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "writing-a-plugin.md"
EXAMPLE = ROOT / "docs" / "examples" / "tryon-acme"


def _quoted_files() -> dict[str, str]:
    blocks = re.findall(r"```(?:python|toml)\n# (\S+)\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)
    return dict(blocks)


def test_every_file_the_guide_shows_is_the_example_file_verbatim() -> None:
    quoted = _quoted_files()
    assert {"pyproject.toml", "tryon_acme/models.py", "tryon_acme/generator.py", "tryon_acme/__init__.py",
            "tryon_acme/emulator.py", "tests/test_conformance.py"} <= set(quoted)
    for rel, text in quoted.items():
        assert (EXAMPLE / rel).read_text() == text, f"the guide's {rel} differs from {EXAMPLE / rel}"


def test_the_example_plugin_passes_the_conformance_suite() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(EXAMPLE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                            cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", result.stdout) and " failed" not in result.stdout
