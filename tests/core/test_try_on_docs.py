"""docs/try-on.md's comparison is generated from the declarations and must not go stale."""

from __future__ import annotations

from pathlib import Path

from tryon.vto import table

PAGE = Path(__file__).resolve().parents[2] / "docs" / "try-on.md"


def test_the_try_on_comparison_is_current() -> None:
    assert table.main(["--check", str(PAGE)]) == 0, (
        "docs/try-on.md is stale: run `python -m tryon.vto.table --write docs/try-on.md`")


def test_a_stale_comparison_is_detected_and_rewritten(tmp_path: Path) -> None:
    copy = tmp_path / "try-on.md"
    copy.write_text(PAGE.read_text(encoding="utf-8").replace("| gpt-image-1.5 |", "| gpt-image-9 |"), "utf-8")
    assert table.main(["--check", str(copy)]) == 1
    assert table.main(["--write", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == PAGE.read_text(encoding="utf-8")


def test_every_try_on_model_and_the_unsupported_vertex_model_are_listed() -> None:
    from tryon.capability_table import bundled_router

    router, _ = bundled_router()
    text = PAGE.read_text(encoding="utf-8")
    for info in router.models(supports="try_on"):
        assert f"| {info.model} |" in text
    assert "**virtual-try-on-001** (Google Vertex AI): announced to retire on 2027-01-20" in text
