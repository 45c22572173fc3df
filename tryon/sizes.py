"""Image sizes a model accepts: a fixed set, a rule, aspect ratios and ``auto``, as data."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from fractions import Fraction

import attrs

__all__ = ["RatioRange", "SizeRule", "Sizes", "aspect_ratio_of", "normalize_size", "parse_ratio", "parse_size",
           "size_problem"]

#: The largest edge a size string may spell (six digits); nothing larger is ever proposed.
MAX_EDGE = 999_999
_SIZE = re.compile(r"^\s*(\d{1,6})\s*[xX×*]\s*(\d{1,6})\s*$", re.ASCII)
_RATIO = re.compile(r"^\s*(\d{1,4})\s*:\s*(\d{1,4})\s*$", re.ASCII)


def parse_size(size: str) -> tuple[int, int] | None:
    """``"1536x1024"`` -> ``(1536, 1024)``; ``None`` for anything else (``auto`` included)."""
    if not isinstance(size, str):
        return None
    m = _SIZE.match(size)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def normalize_size(value: object) -> object:
    """The canonical spelling of a size: ``"WxH"`` (no spaces, no leading zeros) or ``"auto"``.

    Accepts ``"1024 x 1024"``, ``"1024X1024"``, the multiplication sign, ``"1024*1024"`` and a pair of
    whole numbers ``(1024, 1024)``; returns anything else unchanged (see :func:`size_problem`).
    """
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "auto":
            return "auto"
        wh = parse_size(text)
        return f"{wh[0]}x{wh[1]}" if wh is not None else text
    if isinstance(value, tuple | list) and len(value) == 2 and all(_whole(v) for v in value):
        return f"{value[0]}x{value[1]}"
    return value


def size_problem(value: object) -> str:
    """Why *value* is not a size (for values :func:`normalize_size` could not make one of)."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            return f"size={value!r} has {len(value)} items; give (width, height) or 'WIDTHxHEIGHT'"
        kinds = ", ".join(type(v).__name__ for v in value)
        return (f"size={value!r} must be two whole numbers (width, height), not ({kinds}); "
                "e.g. (1024, 1024) or '1024x1024'")
    if isinstance(value, str):
        return f"size={value!r} is not 'WIDTHxHEIGHT' (e.g. '1024x1536') or 'auto'"
    return f"size={value!r} is a {type(value).__name__}; give 'WIDTHxHEIGHT', (width, height) or 'auto'"


def parse_ratio(ratio: str) -> Fraction | None:
    """``"16:9"`` -> ``Fraction(16, 9)``; ``None`` when malformed."""
    if not isinstance(ratio, str):
        return None
    m = _RATIO.match(ratio)
    if not m or int(m.group(1)) == 0 or int(m.group(2)) == 0:
        return None
    return Fraction(int(m.group(1)), int(m.group(2)))


def aspect_ratio_of(size: str, ratios: Iterable[str]) -> str | None:
    """The ratio among *ratios* that *size* matches exactly (``"1344x768"`` -> ``"16:9"``... only if exact)."""
    wh = parse_size(size)
    if wh is None or 0 in wh:
        return None
    exact = Fraction(wh[0], wh[1])
    for r in ratios:
        if parse_ratio(r) == exact:
            return r
    return None


def _frozen_str_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@attrs.frozen
class SizeRule:
    """Arbitrary ``WxH`` sizes within limits (``None`` = no limit of that kind)."""

    multiple_of: int = 1
    min_edge: int | None = None
    max_edge: int | None = None
    max_long_edge: int | None = None
    max_short_edge: int | None = None
    min_aspect: float | None = None
    max_aspect: float | None = None
    max_pixels: int | None = None
    min_pixels: int | None = None
    experimental_above: int | None = None
    """Sizes of more pixels than this are accepted but experimental (a notice, not a refusal)."""

    def violations(self, width: int, height: int) -> list[str]:
        """Human-readable reasons why ``width x height`` breaks this rule (empty = fits)."""
        out: list[str] = []
        if self.multiple_of > 1 and (width % self.multiple_of or height % self.multiple_of):
            out.append(f"width and height must be multiples of {self.multiple_of}")
        lo, hi = min(width, height), max(width, height)
        if self.min_edge is not None and lo < self.min_edge:
            out.append(f"each edge must be at least {self.min_edge}")
        if self.max_edge is not None and hi > self.max_edge:
            out.append(f"each edge must be at most {self.max_edge}")
        if self.max_long_edge is not None and hi > self.max_long_edge:
            out.append(f"the long edge must be at most {self.max_long_edge}")
        if self.max_short_edge is not None and lo > self.max_short_edge:
            out.append(f"the short edge must be at most {self.max_short_edge}")
        aspect = width / height
        if self.min_aspect is not None and aspect < self.min_aspect - 1e-9:
            out.append(f"aspect ratio must be at least {_ratio_text(self.min_aspect)}")
        if self.max_aspect is not None and aspect > self.max_aspect + 1e-9:
            out.append(f"aspect ratio must be at most {_ratio_text(self.max_aspect)}")
        if self.max_pixels is not None and width * height > self.max_pixels:
            out.append(f"at most {self.max_pixels:,} pixels")
        if self.min_pixels is not None and width * height < self.min_pixels:
            out.append(f"at least {self.min_pixels:,} pixels")
        return out

    def describe(self) -> str:
        parts = []
        if self.multiple_of > 1:
            parts.append(f"multiples of {self.multiple_of}")
        if self.min_aspect is not None and self.max_aspect is not None:
            parts.append(f"aspect {_ratio_text(self.min_aspect)} to {_ratio_text(self.max_aspect)}")
        if self.max_long_edge and self.max_short_edge:
            parts.append(f"up to {self.max_long_edge}x{self.max_short_edge}")
        elif self.max_edge:
            parts.append(f"edges up to {self.max_edge}")
        if self.min_edge:
            parts.append(f"edges from {self.min_edge}")
        if self.min_pixels:
            parts.append(f"from {self.min_pixels:,} pixels")
        if self.max_pixels:
            parts.append(f"up to {self.max_pixels / 1e6:.1f} MP")
        if self.experimental_above:
            parts.append(f"experimental above {self.experimental_above:,} pixels")
        return "any WxH (" + ", ".join(parts) + ")" if parts else "any WxH"

    def largest(self) -> tuple[int, int] | None:
        """The largest size this rule allows, when it can be told (for capability tables)."""
        if self.max_long_edge and self.max_short_edge:
            return self.max_long_edge, self.max_short_edge
        if self.max_pixels:
            edge = math.isqrt(self.max_pixels) // max(self.multiple_of, 1) * max(self.multiple_of, 1)
            return edge, edge
        if self.max_edge:
            return self.max_edge, self.max_edge
        return None

    def nearest(self, width: int, height: int) -> tuple[int, int] | None:
        """The allowed size closest to ``width x height`` (same aspect when possible), if one is found."""
        w, h = float(width), float(height)
        aspect = w / h
        if self.min_aspect is not None and aspect < self.min_aspect:
            w = h * self.min_aspect
        if self.max_aspect is not None and aspect > self.max_aspect:
            h = w / self.max_aspect
        scale = 1.0
        if self.max_pixels is not None and w * h > self.max_pixels:
            scale = min(scale, math.sqrt(self.max_pixels / (w * h)))
        if self.max_long_edge is not None:
            scale = min(scale, self.max_long_edge / max(w, h))
        if self.max_short_edge is not None:
            scale = min(scale, self.max_short_edge / min(w, h))
        if self.max_edge is not None:
            scale = min(scale, self.max_edge / max(w, h))
        w, h = w * scale, h * scale
        if self.min_pixels is not None and w * h < self.min_pixels:
            up = math.sqrt(self.min_pixels / (w * h))
            w, h = w * up, h * up
        if self.min_edge is not None and min(w, h) < self.min_edge:
            up = self.min_edge / min(w, h)
            w, h = w * up, h * up
        m = max(self.multiple_of, 1)
        floor_w, floor_h = max(m, int(w // m) * m), max(m, int(h // m) * m)
        # rounding can break a limit (e.g. push the aspect past 1:3): try the neighbouring multiples
        for cw, ch in ((floor_w, floor_h), (floor_w + m, floor_h), (floor_w, floor_h + m),
                       (floor_w + m, floor_h + m), (floor_w - m, floor_h), (floor_w, floor_h - m),
                       (floor_w + 2 * m, floor_h + m), (floor_w + m, floor_h + 2 * m)):
            if 0 < cw <= MAX_EDGE and 0 < ch <= MAX_EDGE and not self.violations(cw, ch):
                return cw, ch
        return None


def _ratio_text(value: float) -> str:
    frac = Fraction(value).limit_denominator(16)
    if frac.numerator >= frac.denominator:
        return f"{frac.numerator}:{frac.denominator}"
    return f"{frac.numerator}:{frac.denominator}"


@attrs.frozen
class RatioRange:
    """Every aspect ratio from ``tallest`` to ``widest`` (e.g. ``"9:21"`` to ``"21:9"``), bounds included."""

    tallest: str
    widest: str

    def __attrs_post_init__(self) -> None:
        low, high = parse_ratio(self.tallest), parse_ratio(self.widest)
        if low is None or high is None or low > high:
            raise ValueError(f"RatioRange({self.tallest!r}, {self.widest!r}): use 'W:H' bounds, tallest first")

    def contains(self, ratio: Fraction) -> bool:
        return (parse_ratio(self.tallest) or ratio) <= ratio <= (parse_ratio(self.widest) or ratio)

    def clamp(self, ratio: Fraction) -> str:
        """*ratio* as ``W:H`` text, moved to the nearest bound when it lies outside."""
        if ratio < (parse_ratio(self.tallest) or ratio):
            return self.tallest
        if ratio > (parse_ratio(self.widest) or ratio):
            return self.widest
        return f"{ratio.numerator}:{ratio.denominator}"

    def describe(self) -> str:
        return f"any aspect ratio from {self.tallest} to {self.widest}"


@attrs.frozen
class Sizes:
    """The sizes a model accepts.

    ``exact`` lists exact ``WxH`` values; ``rule`` admits any ``WxH`` within limits;
    ``aspect_ratios`` admits any ``WxH`` whose ratio is exactly one of them (for providers
    that speak ratios); ``ratio_range`` admits any ``WxH`` (and any ``aspect_ratio``) whose ratio lies
    within a :class:`RatioRange`; ``auto`` admits ``"auto"``.
    """

    exact: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_str_set)
    rule: SizeRule | None = None
    aspect_ratios: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_str_set)
    auto: bool = False
    ratio_range: RatioRange | None = None

    @classmethod
    def fixed(cls, *sizes: str, auto: bool = False) -> Sizes:
        """Only these exact sizes (plus ``auto`` when asked)."""
        return cls(exact=frozenset(sizes), auto=auto)

    @classmethod
    def any(cls, rule: SizeRule, *, standard: Iterable[str] = (), auto: bool = False) -> Sizes:
        return cls(exact=frozenset(standard), rule=rule, auto=auto)

    @classmethod
    def ratios(cls, *ratios: str, standard: Iterable[str] = ()) -> Sizes:
        """Sizes given as aspect ratios (``"16:9"``): any ``WxH`` of exactly one of *ratios* is
        accepted and sent as that ratio. *standard* lists exact ``WxH`` sizes accepted as such too
        (the provider's pixel size of each ratio, e.g. ``"1344x768"``). Declare the same *ratios* as
        ``Capabilities(aspect_ratios=...)``."""
        return cls(exact=frozenset(standard), aspect_ratios=frozenset(ratios))

    @classmethod
    def ratio_between(cls, tallest: str, widest: str, *, standard: Iterable[str] = ()) -> Sizes:
        """Any ``WxH`` or aspect ratio from *tallest* to *widest*; *standard* ratios are listed as such."""
        return cls(aspect_ratios=frozenset(standard), ratio_range=RatioRange(tallest, widest))

    def accepts_ratio(self, ratio: str) -> bool:
        """Whether the aspect ratio *ratio* (``"W:H"``) is one this declaration admits."""
        parsed = parse_ratio(ratio) if isinstance(ratio, str) else None
        if parsed is None:
            return False
        if self.ratio_range is not None and self.ratio_range.contains(parsed):
            return True
        return any(parse_ratio(r) == parsed for r in self.aspect_ratios)

    def check(self, size: str) -> str | None:
        """``None`` when *size* is accepted, else why not."""
        if size == "auto":
            return None if self.auto else "'auto' is not accepted"
        if size in self.exact:
            return None
        wh = parse_size(size)
        if wh is None:
            return f"{size!r} is not a size; use 'WIDTHxHEIGHT'" + (" or 'auto'" if self.auto else "")
        if 0 in wh:
            return f"{size!r} has a zero edge"
        if self.rule is not None:
            why = self.rule.violations(*wh)
            if not why:
                return None
            return f"{size} does not fit: " + "; ".join(why)
        if self.aspect_ratios and aspect_ratio_of(size, self.aspect_ratios):
            return None
        if self.ratio_range is not None:
            if self.ratio_range.contains(Fraction(wh[0], wh[1])):
                return None
            return f"{size} is outside {self.ratio_range.describe()}"
        return f"{size} is not one of the accepted sizes ({self.describe()})"

    def accepts(self, size: str) -> bool:
        return self.check(size) is None

    def advisory(self, size: str) -> str | None:
        """A note on an accepted *size* the provider calls experimental (``None`` = nothing to say)."""
        wh = parse_size(size)
        limit = self.rule.experimental_above if self.rule is not None else None
        if wh is None or limit is None or wh[0] * wh[1] <= limit:
            return None
        return (f"size {size} ({wh[0] * wh[1]:,} pixels) is above {limit:,} pixels, where the provider "
                "calls sizes experimental: results may vary")

    @property
    def arbitrary(self) -> bool:
        return self.rule is not None

    def describe(self) -> str:
        parts = sorted(self.exact, key=_size_key)
        if self.rule is not None:
            parts.append(self.rule.describe())
        if self.ratio_range is not None:
            parts.append("any WxH of " + self.ratio_range.describe())
        elif self.aspect_ratios:
            parts.append("any WxH of ratio " + ", ".join(sorted(self.aspect_ratios, key=_ratio_key)))
        if self.auto:
            parts.append("auto")
        return ", ".join(parts) or "none"

    def largest(self) -> tuple[int, int] | None:
        """The largest explicit size (by pixels) this declaration allows, if known."""
        cands = [wh for s in self.exact if (wh := parse_size(s))]
        if self.rule is not None and (big := self.rule.largest()):
            cands.append(big)
        return max(cands, key=lambda wh: (wh[0] * wh[1], wh[0], wh[1])) if cands else None

    def nearest(self, size: str) -> str | None:
        """The accepted size closest in aspect and area to *size*; ``None`` if none can be told."""
        wh = parse_size(size)
        if wh is None or 0 in wh:
            return "auto" if self.auto else None
        if self.rule is not None:
            near = self.rule.nearest(*wh)
            return f"{near[0]}x{near[1]}" if near else None
        cands = [(s, p) for s in self.exact if (p := parse_size(s))]
        if not cands:
            return None
        target = math.log(wh[0] / wh[1])
        area = wh[0] * wh[1]
        best = min(cands, key=lambda c: (abs(math.log(c[1][0] / c[1][1]) - target), abs(c[1][0] * c[1][1] - area)))
        return best[0]

    def nearest_ratio(self, size: str) -> str | None:
        """The declared aspect ratio closest to *size*'s."""
        wh = parse_size(size)
        if wh is None or 0 in wh:
            return None
        if self.ratio_range is not None:
            return self.ratio_range.clamp(Fraction(wh[0], wh[1]))
        if not self.aspect_ratios:
            return None
        target = math.log(wh[0] / wh[1])
        return min(
            self.aspect_ratios, key=lambda r: abs(math.log(float(parse_ratio(r) or 1)) - target)
        )


def _size_key(size: str) -> tuple[int, int]:
    return parse_size(size) or (0, 0)


def _ratio_key(ratio: str) -> float:
    return float(parse_ratio(ratio) or 0)
