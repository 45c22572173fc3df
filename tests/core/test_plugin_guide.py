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


def test_the_guide_covers_every_extension_point() -> None:
    """Each hook, each documented override of the emulator base and the conformance suite, and the
    HTTP layer's multipart, binary-answer and error-shape extension points are in the guide."""
    import inspect

    from tryon import hookspecs
    from tryon.testing.conformance import GeneratorConformance

    text = GUIDE.read_text()
    hooks = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
             if name.startswith("register_")]
    assert {"register_commands", "register_emulators", "register_generators"} <= set(hooks)  # every hook is checked
    emulator_surface = ["route", "Response.json", "Response.binary", "Response.stream", "ApiError", "provider",
                        "request_id_header", "default_messages", "api_key_from", "unauthorized", "error_body",
                        "default_error", "moderation_response", "malformed_response", "new_request_id", "base_url",
                        "reset"]
    kit = [name for name in vars(GeneratorConformance) if not name.startswith(("_", "test_"))
           and name not in {"generator", "requirements"}]
    http = ["multipart=", "FilePart", "FilePart.of", "tryon.multipart.encode", "from_bytes", "from_base64",
            "read_error", "ErrorAnswer", "ErrorDetails", "tryon.error_shapes", "json_object", "AnswerReader",
            "credential_scope", "same_origin", "shared_session"]
    declarations = ["required_options", "operation_options", "seed_range", "Rule.requires", "defaults=", "price=",
                    "sources=", "lifecycle=", "deviations=", "mask_required", "image_options"]
    code = re.findall(r"```.*?```", text, flags=re.DOTALL)
    spans = code + re.findall(r"`[^`\n]+`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    missing = [name for name in [*hooks, *emulator_surface, *kit, *http, *declarations]
               if not any(re.search(rf"(?<![A-Za-z_]){re.escape(name)}", span) for span in spans)]
    assert not missing, f"docs/writing-a-plugin.md does not cover: {missing}"
