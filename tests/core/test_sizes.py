"""Aspect-ratio ranges in the core size vocabulary (tryon.sizes)."""

from __future__ import annotations

import pytest

from tryon.sizes import RatioRange, Sizes


def test_a_ratio_range_admits_every_ratio_between_its_bounds() -> None:
    sizes = Sizes.ratio_between("9:21", "21:9", standard=("1:1", "16:9"))
    assert sizes.accepts("1000x700") and sizes.accepts("2100x900") and sizes.accepts("900x2100")
    assert not sizes.accepts("2200x900") and "outside" in (sizes.check("2200x900") or "")
    assert sizes.accepts_ratio("7:4") and sizes.accepts_ratio("3:7") and not sizes.accepts_ratio("5:2")
    assert sizes.nearest_ratio("3000x1000") == "21:9" and sizes.nearest_ratio("1000x700") == "10:7"
    assert "9:21 to 21:9" in sizes.describe()
    with pytest.raises(ValueError):
        RatioRange("21:9", "9:21")
