"""Prices as data: how a model is billed, its estimate before a call and its cost after one.

A plugin declares a :class:`Price` on its model's :class:`~tryon.capabilities.Capabilities`
(``Capabilities(price=Price(...))``); the core does all the arithmetic. A price has one kind of
rate:

- :class:`PerImage`: a flat price per output image, or a table by quality and size;
- :class:`PerMegapixel`: the first megapixel of output, then each further started megapixel of
  output and of reference inputs (FLUX.2);
- :class:`PerToken`: text and image tokens in and out, with the output image tokens per quality
  and size (:attr:`PerToken.output_tokens`) and the input tokens of an image from its size
  (:class:`TiledImageTokens`, :class:`HighFidelity`).

Rates are in USD, or in credits when :attr:`Price.credit_usd` is set (the USD value of one
credit). Every price carries its :class:`~tryon.provenance.Source` (where and when it was
checked). ``Price.upper_bound`` says whether the provider documents billing well enough that the
estimate is never below the bill; otherwise estimates say they are approximate.

An unknown price is ``None``, never 0: :func:`total` sums what is priced and counts (and names)
what is not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from tryon.provenance import Source
from tryon.results import Estimate, Usage
from tryon.sizes import parse_size

if TYPE_CHECKING:
    from tryon.capabilities import Capabilities
    from tryon.request import Request
    from tryon.results import GeneratedImage

__all__ = [
    "MEGAPIXEL",
    "HighFidelity",
    "PerImage",
    "PerMegapixel",
    "PerToken",
    "Price",
    "TiledImageTokens",
    "cost_of",
    "estimate",
    "total",
]

MEGAPIXEL = 1024 * 1024
"""A billed megapixel (1024 x 1024 pixels), unless a :class:`PerMegapixel` says otherwise."""

Table = Mapping[str | None, Mapping[str | None, float]]


def _table(values: Mapping[Any, Mapping[Any, float]]) -> Table:
    return MappingProxyType({q: MappingProxyType(dict(row)) for q, row in values.items()})


def _non_negative(_instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or value < 0):
        raise ValueError(f"{attribute.name} must be a non-negative number, got {value!r}")


def _sources(value: Source | Iterable[Source]) -> tuple[Source, ...]:
    group = (value,) if isinstance(value, Source) else tuple(value)
    if not group or not all(isinstance(s, Source) for s in group):
        raise TypeError("a Price needs one or more tryon.provenance.Source values")
    return group


def _started(pixels: int, unit: int) -> int:
    """Billed units: each started *unit* of pixels counts (0 for no pixels)."""
    return math.ceil(pixels / unit) if pixels > 0 else 0


# ---------------------------------------------------------------------- rates


@attrs.frozen(kw_only=True)
class PerImage:
    """A price per output image: ``flat`` for every image, or ``table[quality][size]``.

    In the table, the key ``None`` stands for "any quality" or "any size"; an unset or ``auto``
    quality or size is priced at the dearest entry (so the estimate stays an upper bound).
    """

    flat: float | None = attrs.field(default=None, validator=_non_negative)
    table: Table = attrs.field(factory=dict, converter=_table)
    by: str = "quality"
    """The option whose value picks the table's row (``"mode"`` for try-on models priced by mode)."""

    def __attrs_post_init__(self) -> None:
        if (self.flat is None) == (not self.table):
            raise ValueError("PerImage needs exactly one of flat= or table=")

    def per_image(self, quality: str | None, size: str | None) -> tuple[float, list[str], bool]:
        """The price of one image, notes for the basis, and whether it is known to apply."""
        if self.flat is not None:
            return self.flat, [], True
        return _lookup(self.table, quality, size, self.by)


@attrs.frozen(kw_only=True)
class PerMegapixel:
    """``first_mp`` for the first megapixel of each output image, ``extra_mp`` for each further
    started megapixel of output and (with ``inputs=True``) of all reference images together.

    ``default_size`` is the output size the provider uses when a generation sets none; an edit
    without a size is priced at its first input's size, capped at the model's largest output.
    """

    first_mp: float = attrs.field(validator=_non_negative)
    extra_mp: float = attrs.field(validator=_non_negative)
    inputs: bool = True
    megapixel: int = MEGAPIXEL
    default_size: str = "1024x1024"

    def per_image(self, output_pixels: int, input_pixels: int) -> float:
        extra = max(0, _started(output_pixels, self.megapixel) - 1)
        if self.inputs:
            extra += _started(input_pixels, self.megapixel)
        return self.first_mp + extra * self.extra_mp


@attrs.frozen(kw_only=True)
class TiledImageTokens:
    """Input tokens of one image from its size: ``base + per_tile x tiles``.

    The image is first scaled down to fit ``fit_edge`` x ``fit_edge`` and then so that its
    short side is at most ``short_edge`` (each step only when set); the tiles are the
    ``tile`` x ``tile`` squares that cover it. An image whose sides are both at most
    ``small_edge`` is one tile. ``per_tile=0`` gives a fixed count per image.
    """

    base: int = 0
    per_tile: int = 0
    tile: int = 512
    fit_edge: int | None = None
    short_edge: int | None = None
    small_edge: int | None = None

    def tokens(self, width: int, height: int) -> int:
        if not self.per_tile:
            return self.base
        w, h = float(width), float(height)
        if self.small_edge is not None and max(w, h) <= self.small_edge:
            return self.base + self.per_tile
        if self.fit_edge is not None:
            scale = min(1.0, self.fit_edge / max(w, h))
            w, h = w * scale, h * scale
        if self.short_edge is not None:
            scale = min(1.0, self.short_edge / min(w, h))
            w, h = w * scale, h * scale
        return self.base + self.per_tile * math.ceil(w / self.tile) * math.ceil(h / self.tile)

    def most(self, max_edge: int | None = None) -> int | None:
        """The most tokens any image can cost (``None`` when the rule and *max_edge* leave it open)."""
        if not self.per_tile:
            return self.base
        if self.fit_edge is not None and self.short_edge is not None:
            short = min(self.short_edge, self.fit_edge)
            return self.base + self.per_tile * math.ceil(short / self.tile) * math.ceil(self.fit_edge / self.tile)
        edge = self.fit_edge or max_edge
        return None if edge is None else self.base + self.per_tile * math.ceil(edge / self.tile) ** 2


@attrs.frozen(kw_only=True)
class HighFidelity:
    """Extra input tokens of an image sent with ``input_fidelity="high"``, by the image's shape
    (``landscape``: width/height >= 1.25, ``portrait``: <= 0.8, else ``square``), for the first
    ``images`` inputs (``None``: every input)."""

    square: int
    portrait: int
    landscape: int
    images: int | None = None

    def tokens(self, size: tuple[int, int] | None) -> int:
        if size is None:
            return max(self.square, self.portrait, self.landscape)
        ratio = size[0] / size[1]
        return self.landscape if ratio >= 1.25 else self.portrait if ratio <= 0.8 else self.square


@attrs.frozen(kw_only=True)
class PerToken:
    """Token rates per one million tokens, and how many tokens a request takes.

    ``output_tokens[quality][size]`` is the image tokens of one output image (``None`` keys mean
    any quality / any size; ``size`` is the request's size, or the size class the generator's
    ``price_size(request)`` returns). ``input_image`` gives the tokens of one input image,
    ``high_fidelity`` the extra tokens of ``input_fidelity="high"``, ``partial_image_tokens`` the
    output tokens of each streamed partial image. ``image_in``/``text_out`` default to ``text_in``.
    A size missing from the table is scaled by area from ``area_base`` (not an upper bound).
    """

    text_in: float = attrs.field(validator=_non_negative)
    image_out: float = attrs.field(validator=_non_negative)
    image_in: float | None = attrs.field(default=None, validator=_non_negative)
    text_out: float | None = attrs.field(default=None, validator=_non_negative)
    output_tokens: Table = attrs.field(converter=_table)
    input_image: TiledImageTokens | None = None
    high_fidelity: HighFidelity | None = None
    partial_image_tokens: int = 0
    area_base: str | None = None

    @property
    def image_in_rate(self) -> float:
        return self.text_in if self.image_in is None else self.image_in

    @property
    def text_out_rate(self) -> float:
        return self.text_in if self.text_out is None else self.text_out

    def image_tokens(self, quality: str | None, size: str | None) -> tuple[float, list[str], bool]:
        """Output tokens of one image, notes for the basis, and whether it is an upper bound."""
        row_key, notes, known = _row(self.output_tokens, quality)
        row = self.output_tokens[row_key]
        if size in row or size in (None, "auto") or None in row:
            value, more = _cell(row, size)
            return value, notes + more, known
        wh = parse_size(size or "")
        base_wh = parse_size(self.area_base or "")
        if wh is None or base_wh is None or self.area_base not in row:
            value, more = _cell(row, None)
            return value, notes + more + [f"size {size} is not in the price table"], False
        scaled = row[self.area_base] * wh[0] * wh[1] / (base_wh[0] * base_wh[1])
        return math.ceil(scaled), [*notes, f"{size} scaled by area from {self.area_base}"], False


def _row(table: Table, quality: str | None, by: str = "quality") -> tuple[str | None, list[str], bool]:
    """The table row for *quality* (the value of option *by*), notes, and whether the row is known to apply."""
    if quality in table:
        return quality, [], True
    if None in table:
        return None, [], True
    dearest = max(table, key=lambda q: max(table[q].values()))
    if quality in (None, "auto"):
        return dearest, [f"{by} {quality or 'unset'} priced as {dearest}"], True
    return dearest, [f"{by} {quality} has no published price: priced as {dearest}"], False


def _cell(row: Mapping[str | None, float], size: str | None) -> tuple[float, list[str]]:
    if size in row:
        return row[size], []
    if None in row:
        return row[None], []
    dearest = max(row, key=lambda s: row[s])
    return row[dearest], [f"size {size or 'unset'} priced as {dearest}"]


def _lookup(table: Table, quality: str | None, size: str | None,
            by: str = "quality") -> tuple[float, list[str], bool]:
    key, notes, known = _row(table, quality, by)
    value, more = _cell(table[key], size)
    known = known and (size in table[key] or size in (None, "auto") or None in table[key])
    return value, notes + more, known


Rates = PerImage | PerMegapixel | PerToken


@attrs.frozen(kw_only=True)
class Price:
    """How one model is billed: its rates, their source and date, and the unit.

    ``credit_usd`` set means the rates are credits worth that many USD each. ``upper_bound``
    says the estimate is never below the bill (the billing rules are documented); when it is
    ``False``, ``approximation`` says what the estimate leaves out.
    """

    rates: Rates
    sources: tuple[Source, ...] = attrs.field(converter=_sources)
    credit_usd: float | None = attrs.field(default=None, validator=_non_negative)
    upper_bound: bool = True
    approximation: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.upper_bound and not self.approximation:
            raise ValueError("a Price that is not an upper bound must say why (approximation=...)")

    @property
    def checked(self) -> str:
        """The day the price was last checked (the newest of its sources)."""
        return max(s.checked for s in self.sources).isoformat()

    def source_text(self, *, notes: bool = True) -> str:
        """The sources of the price (with what each says unless ``notes=False``)."""
        if notes:
            return "; ".join(s.describe() for s in self.sources)
        return "; ".join(f"{s.where} ({s.kind.value}, {s.checked.isoformat()}{'' if s.verified else ', unverified'})"
                         for s in self.sources)

    def usd(self, amount: float) -> float:
        return amount * self.credit_usd if self.credit_usd is not None else amount

    def _money(self, amount: float) -> str:
        if self.credit_usd is None:
            return f"${amount:g}"
        return f"{amount:g} credits (${self.usd(amount):.4g})"

    def describe(self) -> str:
        """One line for ``tryon models``: the rates in words."""
        rates = self.rates
        if isinstance(rates, PerImage):
            if rates.flat is not None:
                text = f"{self._money(rates.flat)} per image"
            else:
                low = min(v for row in rates.table.values() for v in row.values())
                high = max(v for row in rates.table.values() for v in row.values())
                text = f"{self._money(low)} to {self._money(high)} per image by {rates.by} and size"
        elif isinstance(rates, PerMegapixel):
            text = (f"{self._money(rates.first_mp)} for the first MP, {self._money(rates.extra_mp)} per further MP"
                    + (" of output and of reference images" if rates.inputs else " of output"))
        else:
            unit = "credits" if self.credit_usd is not None else "$"
            parts = [f"text in {unit}{rates.text_in:g}", f"image in {unit}{rates.image_in_rate:g}",
                     f"image out {unit}{rates.image_out:g}"]
            if rates.text_out is not None:
                parts.append(f"text out {unit}{rates.text_out:g}")
            text = ", ".join(parts) + " per 1M tokens"
            per = [v for row in rates.output_tokens.values() for v in row.values()]
            span = f"{min(per):g}" if min(per) == max(per) else f"{min(per):g} to {max(per):g}"
            text += f" ({span} tokens per output image)"
        return text if self.upper_bound else text + "; estimates are approximate"

    def brief(self) -> str:
        """A table cell: the price of one output image (``~`` when estimates are approximate)."""
        rates = self.rates
        mark = "" if self.upper_bound else "~"
        if isinstance(rates, PerImage):
            values = [rates.flat] if rates.flat is not None else [v for r in rates.table.values() for v in r.values()]
        elif isinstance(rates, PerMegapixel):
            return f"{mark}${self.usd(rates.first_mp):.3g} + ${self.usd(rates.extra_mp):.3g}/MP"
        else:
            values = [v * rates.image_out / 1e6 for r in rates.output_tokens.values() for v in r.values()]
        low, high = min(v for v in values if v is not None), max(v for v in values if v is not None)
        low, high = self.usd(low), self.usd(high)
        text = f"${low:.3g}" if low == high else f"${low:.3g}-${high:.3g}"
        return f"{mark}{text}/image"

    def as_dict(self) -> dict[str, object]:
        return {"kind": type(self.rates).__name__, "brief": self.brief(), "describe": self.describe(),
                "credit_usd": self.credit_usd,
                "upper_bound": self.upper_bound, "approximation": self.approximation,
                "checked": self.checked, "sources": [s.as_dict() for s in self.sources]}


# ---------------------------------------------------------------------- estimates


def _input_sizes(request: Request) -> list[tuple[int, int] | None]:
    """The size of each input image (``None`` where it is not loaded yet)."""
    images = getattr(request, "images", ()) or ()
    out: list[tuple[int, int] | None] = []
    for image in images:
        w, h = getattr(image, "width", None), getattr(image, "height", None)
        out.append((w, h) if isinstance(w, int) and isinstance(h, int) else None)
    return out


def _split(n: int, per_call: int) -> list[int]:
    full, rest = divmod(n, per_call)
    return [per_call] * full + ([rest] if rest else [])


@attrs.define
class _Call:
    """Working state of one call's estimate."""

    amount: float = 0.0
    notes: list[str] = attrs.field(factory=list)
    bound: bool = True


def _token_call(rates: PerToken, request: Request, k: int, size_class: str | None,
                caps: Capabilities) -> _Call:
    call = _Call()
    text = len(request.prompt.encode("utf-8"))  # a token is at least one byte: an upper bound
    image_in = 0
    sizes = _input_sizes(request)
    if sizes and rates.input_image is not None:
        most = rates.input_image.most(caps.inputs.max_edge)
        for size in sizes:
            if size is not None:
                image_in += rates.input_image.tokens(*size)
            elif most is not None:
                image_in += most
            else:
                call.bound = False
        if any(s is None for s in sizes):
            call.notes.append("input image sizes unknown: priced at the largest" if most is not None
                              else "input image sizes unknown: not included")
    hf = rates.high_fidelity
    if hf is not None and getattr(request, "input_fidelity", None) == "high":
        count = len(sizes) if hf.images is None else min(len(sizes), hf.images)
        image_in += sum(hf.tokens(size) for size in sizes[:count])
        call.notes.append(f"high input fidelity on {count} image(s)")
    per_image, notes, exact = rates.image_tokens(request.quality, size_class)
    call.notes.extend(notes)
    call.bound = call.bound and exact
    out = k * per_image + k * (request.partial_images or 0) * rates.partial_image_tokens
    call.amount = (text * rates.text_in + image_in * rates.image_in_rate + out * rates.image_out) / 1e6
    call.notes.insert(0, f"{k} x {per_image:g} output image tokens, {image_in} input image tokens, "
                         f"at most {text} prompt tokens")
    return call


def _largest_pixels(caps: Capabilities) -> int | None:
    size = caps.largest_size()
    wh = parse_size(size) if size else None
    return wh[0] * wh[1] if wh else None


def _megapixel_call(rates: PerMegapixel, request: Request, k: int, caps: Capabilities) -> _Call:
    call = _Call()
    sizes = _input_sizes(request)
    input_pixels = 0
    for size in sizes:
        if size is not None:
            input_pixels += size[0] * size[1]
        else:
            input_pixels += caps.inputs.pixel_limit
    if any(s is None for s in sizes):
        call.notes.append("input image sizes unknown: priced at the largest the model accepts")
    wh = parse_size(request.size or "")
    largest = _largest_pixels(caps)
    if wh is not None:
        output_pixels = wh[0] * wh[1]
    elif sizes:
        first = sizes[0]
        output_pixels = first[0] * first[1] if first is not None else (largest or caps.inputs.pixel_limit)
        if largest is not None:
            output_pixels = min(output_pixels, largest)
        call.notes.append("size not set: priced at the first input's size")
    else:
        default = parse_size(rates.default_size) or (1024, 1024)
        output_pixels = default[0] * default[1]
        call.notes.append(f"size not set: priced at {rates.default_size}")
    per_image = rates.per_image(output_pixels, input_pixels)
    call.amount = k * per_image
    out_mp = _started(output_pixels, rates.megapixel)
    in_mp = _started(input_pixels, rates.megapixel) if rates.inputs else 0
    call.notes.insert(0, f"{k} x ({rates.first_mp:g} first MP + {max(0, out_mp - 1) + in_mp} further MP x "
                         f"{rates.extra_mp:g}): {out_mp} MP out, {in_mp} MP of references")
    return call


def _image_call(rates: PerImage, request: Request, k: int, size_class: str | None, unit: str) -> _Call:
    per_image, notes, known = rates.per_image(request.get(rates.by), size_class)
    return _Call(amount=k * per_image, notes=[f"{k} x {per_image:g}{unit} per image", *notes], bound=known)


def estimate(price: Price | None, request: Request, *, model: str, provider: str,
             capabilities: Capabilities, size_class: str | None = None) -> Estimate:
    """The cost of *request* before any call: one estimate per call of its fan-out, summed.

    *size_class* is the key of the price tables for this request (default: ``request.size``).
    Input images that are loaded (:class:`~tryon.media.InputImage`) are priced by their size;
    others at the largest the model accepts, or left out (and the estimate says so).
    """
    if price is None:
        return Estimate(model=model, provider=provider, n=request.n, usd=None,
                        basis=f"no published price for {model}", unpriced=1, unpriced_items=(model,))
    size_class = request.size if size_class is None else size_class
    chunks = _split(request.n, capabilities.max_images_per_call)
    amount, bound = 0.0, price.upper_bound
    notes: list[str] = []
    for k in chunks:
        rates = price.rates
        if isinstance(rates, PerToken):
            call = _token_call(rates, request, k, size_class, capabilities)
        elif isinstance(rates, PerMegapixel):
            call = _megapixel_call(rates, request, k, capabilities)
        else:
            call = _image_call(rates, request, k, size_class, " credits" if price.credit_usd is not None else " USD")
        amount += call.amount
        bound = bound and call.bound
        notes = notes or call.notes
    basis = "; ".join(notes)
    if len(chunks) > 1:
        basis = f"{len(chunks)} calls ({'+'.join(map(str, chunks))} images); first: {basis}"
    if price.credit_usd is not None:
        basis += f"; {amount:g} credits at ${price.credit_usd:g}"
    basis += "; an upper bound" if bound else f"; approximate ({price.approximation or 'see notes'})"
    return Estimate(model=model, provider=provider, n=request.n, usd=round(price.usd(amount), 6), basis=basis,
                    prices_as_of=price.checked, source=price.source_text(), upper_bound=bound, calls=len(chunks))


def cost_of(price: Price | None, usage: Usage | None, request: Request | None = None,
            images: Sequence[GeneratedImage] = ()) -> float | None:
    """The cost of one finished call: from the reported *usage* (tokens, or credits), else from
    what was sent and returned for prices that do not need usage. ``None`` when unknown."""
    if price is None:
        return None
    rates = price.rates
    if usage is not None and usage.credits is not None and price.credit_usd is not None:
        return round(usage.credits * price.credit_usd, 6)
    if isinstance(rates, PerToken):
        return None if usage is None else round(price.usd(_token_cost(rates, usage)), 6)
    if not images:
        return None
    if isinstance(rates, PerImage):
        quality = request.get(rates.by) if request is not None else None
        amount = sum(rates.per_image(quality, f"{i.width}x{i.height}")[0] for i in images)
        return round(price.usd(amount), 6)
    input_pixels = sum(w * h for w, h in (s for s in _input_sizes(request) if s)) if request else 0
    amount = sum(rates.per_image(i.width * i.height, input_pixels) for i in images)
    return round(price.usd(amount), 6)


def _token_cost(rates: PerToken, usage: Usage) -> float:
    text_in, image_in = usage.input_text_tokens, usage.input_image_tokens
    if text_in is None and image_in is None:
        text_in, image_in = usage.input_tokens or 0, 0
    elif text_in is None:
        text_in = max(0, (usage.input_tokens or 0) - (image_in or 0))
    image_out, text_out = usage.output_image_tokens, usage.output_text_tokens or 0
    if image_out is None:
        image_out, text_out = max(0, (usage.output_tokens or 0) - text_out), text_out
    return ((text_in or 0) * rates.text_in + (image_in or 0) * rates.image_in_rate
            + image_out * rates.image_out + text_out * rates.text_out_rate) / 1e6


# ---------------------------------------------------------------------- totals


def total(estimates: Iterable[Estimate], *, label: str | None = None) -> Estimate:
    """One estimate for several requests (jobs of a batch, models of a plan).

    ``usd`` is the total of the priced items (``None`` when none is priced); ``unpriced`` counts
    the items without a price and ``unpriced_items`` names them. It is an upper bound only when
    every item is priced and each is one.
    """
    parts = tuple(estimates)
    priced = [e for e in parts if e.usd is not None]
    unpriced = sum(max(e.unpriced, 1 if e.usd is None else 0) for e in parts)
    names = tuple(dict.fromkeys(name for e in parts for name in (e.unpriced_items or
                                                                  ((e.model,) if e.usd is None else ()))))
    models = tuple(dict.fromkeys(e.model for e in parts))
    providers = tuple(dict.fromkeys(e.provider for e in parts))
    usd = round(sum(e.usd for e in priced if e.usd is not None), 6) if priced else None
    basis = f"{len(parts)} estimate(s), {len(priced)} priced"
    if unpriced:
        basis += f"; {unpriced} unpriced ({', '.join(names)}): not included"
    bound = bool(parts) and not unpriced and all(e.upper_bound for e in parts)
    dates = sorted({e.prices_as_of for e in priced if e.prices_as_of})
    return Estimate(model=label or ", ".join(models), provider=", ".join(providers), n=sum(e.n for e in parts),
                    usd=usd, basis=basis, prices_as_of=dates[0] if dates else None, upper_bound=bound,
                    calls=sum(e.calls for e in parts), unpriced=unpriced, unpriced_items=names, parts=parts)


# ---------------------------------------------------------------------- generators


def estimate_for(generator: Any, request: Request) -> Estimate:
    """The estimate of *request* on *generator*: from its declared price, else from the plugin's
    own ``estimate(request)`` (third-party plugins without a declared price), else unknown.

    A generator may define ``price_size(request)``: the key its price tables use for the request
    (e.g. Gemini's ``1K``/``2K``/``4K`` tier); the default is ``request.size``.
    """
    caps = generator.capabilities
    from tryon.request import TryOnRequest

    if isinstance(request, TryOnRequest) and caps.try_on is not None and caps.try_on.composition is not None:
        from tryon.vto.composition import as_edit

        request = as_edit(request, caps.try_on)  # priced as the edit that serves it
    if caps.price is None:
        own = getattr(generator, "estimate", None)
        result = own(request) if own is not None else None
        if isinstance(result, Estimate):
            return result
    hook = getattr(generator, "price_size", None)
    size_class = hook(request) if hook is not None else None
    return estimate(caps.price, request, model=generator.model_id, provider=generator.provider,
                    capabilities=caps, size_class=size_class)


def priced(generator: Any, request: Request, result: Any) -> Any:
    """*result* (a :class:`~tryon.results.Generation`) with ``cost_usd`` from the declared price
    and its reported usage, unless the plugin set a cost itself."""
    price = generator.capabilities.price
    if price is None or getattr(result, "cost_usd", None) is not None:
        return result
    cost = cost_of(price, result.usage, request, result.images)
    return result if cost is None else attrs.evolve(result, cost_usd=cost)
