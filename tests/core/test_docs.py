"""Docs that are generated from code must not go stale."""

from __future__ import annotations

from pathlib import Path

from tryon import capability_table

ROOT = Path(__file__).resolve().parents[2]


def test_capability_matrix_page_is_current() -> None:
    page = ROOT / "docs" / "capabilities.md"
    assert capability_table.main(["--check", str(page)]) == 0, (
        "docs/capabilities.md is stale: run `python -m tryon.capability_table --write docs/capabilities.md`")


def test_docs_link_to_existing_pages() -> None:
    import re

    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in re.findall(r"\]\(((?!https?:|#|mailto:)[^)#\s]+)", doc.read_text()):
            assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)} links to missing {target}"
