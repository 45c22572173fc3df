"""``--contact-sheet``: one PNG of the images a command saved, each labelled with its file name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["CONTACT_SHEET_STEM", "MAX_SHEET_IMAGES", "write_contact_sheet"]

CONTACT_SHEET_STEM = "contact-sheet"
MAX_SHEET_IMAGES = 400
"""At most this many images go on one sheet (the first ones; the title says so)."""


def write_contact_sheet(paths: Sequence[Path], directory: Path, *, title: str | None = None) -> Path:
    """Write ``contact-sheet.png`` (a fresh name if taken) of the image files *paths* into *directory*."""
    from tryon.media.contact_sheet import contact_sheet
    from tryon.media.outputs import save_bytes

    shown = list(paths[:MAX_SHEET_IMAGES])
    if len(paths) > len(shown):
        title = f"{title + ' - ' if title else ''}first {len(shown)} of {len(paths)} images"
    sheet = contact_sheet([p.read_bytes() for p in shown], [p.name for p in shown],
                          thumb=256 if len(shown) <= 16 else 160, title=title)
    return save_bytes(sheet, "image/png", directory, stem=CONTACT_SHEET_STEM)
