"""What a model can do, declared as data by its plugin.

A :class:`Capabilities` value is everything the router needs to accept or refuse a request
before any network call: flags, value domains, limits, cross-option rules and lifecycle.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.deviations import Deviations
from tryon.media.limits import InputLimits
from tryon.pricing import Price
from tryon.provenance import EXTRA_FACTS, Provenance
from tryon.sizes import Sizes
from tryon.vto.declaration import TryOnCapabilities


def _to_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


__all__ = [
    "FEATURES",
    "Advisory",
    "Capabilities",
    "Deviations",
    "InputsWhen",
    "Lifecycle",
    "Operation",
    "PixelBudget",
    "Rule",
    "fact_groups",
    "feature_test",
]


class Operation(enum.StrEnum):
    """What a generator can be asked to do."""

    GENERATE = "generate"
    EDIT = "edit"
    TRY_ON = "try_on"
    """Virtual try-on: a person dressed in garments (``Capabilities.try_on`` says how)."""


def _ops(values: Iterable[str | Operation]) -> frozenset[Operation]:
    return frozenset(Operation(v) for v in values)


def _strs(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        raise TypeError("expected a collection of strings, not a single string")
    return frozenset(values)


def _mapping(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(values))


_EVERY_OPERATION: frozenset[Operation] = frozenset(Operation)


def _option_operations(values: Mapping[str, Iterable[str | Operation] | str | Operation] | Iterable[str]
                       ) -> Mapping[str, frozenset[Operation]]:
    """``{"option": {"edit"}}`` (or a collection of option names: every operation) as a read-only mapping."""
    if isinstance(values, str):
        raise TypeError("expected a mapping of option names to operations, or a collection of option names")
    if not isinstance(values, Mapping):  # every operation (of the model: narrowed after construction)
        return MappingProxyType({name: _EVERY_OPERATION for name in values})
    out: dict[str, frozenset[Operation]] = {}
    for name, ops in values.items():
        out[name] = _ops((ops,) if isinstance(ops, str | Operation) else ops)
        if not out[name]:
            raise ValueError(f"option {name!r} is declared for no operation")
    return MappingProxyType(out)


def _seed_range(value: tuple[int, int] | None) -> tuple[int, int] | None:
    if value is None:
        return None
    low, high = value
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (low, high)) or not 0 <= low <= high:
        raise ValueError("seed_range must be (lowest, highest) whole numbers with 0 <= lowest <= highest, "
                         f"not {value!r}")
    return int(low), int(high)


@attrs.frozen
class Lifecycle:
    """Where a model is in its life: ``active``, ``preview``, ``deprecated`` or ``retired``.

    ``deprecated_on`` is the day the provider announced the deprecation (or it took effect);
    ``shutdown_on`` the day the provider stops (or stopped) serving the model.
    """

    status: str = attrs.field(default="active", validator=attrs.validators.in_(
        ("active", "preview", "deprecated", "retired")))
    shutdown_on: dt.date | None = None
    successors: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    note: str = ""
    deprecated_on: dt.date | None = None

    @property
    def retired_on(self) -> dt.date | None:
        """The shutdown date (the name the first declarations used)."""
        return self.shutdown_on

    def status_on(self, day: dt.date) -> str:
        """The status on *day*: the declared one, moved on by the dates (see :mod:`tryon.lifecycle`)."""
        from tryon.lifecycle import status_on

        return status_on(self, day)

    @property
    def retired(self) -> bool:
        """Retired today (declared so, or past its shutdown date)."""
        from tryon.lifecycle import today

        return self.status_on(today()) == "retired"

    def describe(self, model: str, day: dt.date | None = None) -> str:
        """One sentence on *model*'s lifecycle on *day* (default today), with dates and successors."""
        from tryon.lifecycle import describe_on, today

        return describe_on(self, model, day or today())


@attrs.frozen
class Rule:
    """A cross-option rule: when option ``when`` is set (to one of ``equals``), option ``then``
    must take one of ``allowed`` — or, with ``allowed=None``, must not be set at all.

    A rule reads what the request sets: an unset ``when`` never triggers it, and an unset
    ``then`` is "not set". The one exception is the ``then`` of a ``requires`` rule (``allowed``
    given): unset, it reads the model's declared default, the value the provider will apply.
    """

    when: str
    equals: frozenset[Any] | None
    then: str
    allowed: frozenset[Any] | None
    message: str

    @classmethod
    def requires(
        cls, when: str, equals: Iterable[Any] | Any | None, then: str, allowed: Iterable[Any], message: str
    ) -> Rule:
        eq = None if equals is None else frozenset(_as_iter(equals))
        return cls(when, eq, then, frozenset(allowed), message)

    @classmethod
    def excludes(cls, a: str, b: str, message: str) -> Rule:
        return cls(a, None, b, None, message)

    @classmethod
    def forbids(cls, when: str, equals: Iterable[Any] | Any, then: str, message: str) -> Rule:
        """When ``when`` is one of *equals*, ``then`` must not be set at all."""
        return cls(when, frozenset(_as_iter(equals)), then, None, message)

    def violated(self, get: Callable[[str], Any]) -> bool:
        trigger = get(self.when)
        if trigger is None or trigger is False:
            return False
        if self.equals is not None and trigger not in self.equals:
            return False
        value = get(self.then)
        if self.allowed is None:
            return value is not None
        return value not in self.allowed


def _as_iter(value: Any) -> Iterable[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return (value,)
    return value


def _optional_set(value: Iterable[Any] | Any | None) -> frozenset[Any] | None:
    return None if value is None else frozenset(_as_iter(value))


@attrs.frozen
class Advisory:
    """A notice, not a refusal: when option ``when`` is set (to one of ``equals``, or above
    ``above``), the result carries a :class:`~tryon.notice.Notice` with ``code`` and ``message``.

    For what the provider documents as preview, experimental or silently adjusted.
    """

    when: str
    code: str
    message: str
    equals: frozenset[Any] | None = attrs.field(default=None, converter=_optional_set)
    above: float | None = None

    def applies(self, get: Callable[[str], Any]) -> bool:
        value = get(self.when)
        if value is None or value is False:
            return False
        if self.equals is not None and value not in self.equals:
            return False
        if self.above is not None:
            return isinstance(value, (int, float)) and not isinstance(value, bool) and value > self.above
        return True


@attrs.frozen
class PixelBudget:
    """A pixel budget shared across a request: when ``when`` is one of ``equals`` (``None`` =
    always), width x height x the value of option ``factor`` (``factor_default`` when unset)
    must lie within ``min_pixels`` .. ``max_pixels``. For outputs made of several frames (a GIF's
    frames share one image's budget)."""

    factor: str
    message: str
    when: str | None = None
    equals: frozenset[Any] | None = attrs.field(default=None, converter=_optional_set)
    factor_default: int = 1
    min_pixels: int | None = None
    max_pixels: int | None = None

    def applies(self, get: Callable[[str], Any]) -> bool:
        if self.when is None:
            return True
        value = get(self.when)
        return value is not None and (self.equals is None or value in self.equals)

    def total(self, width: int, height: int, get: Callable[[str], Any]) -> int:
        factor = get(self.factor)
        return width * height * (factor if isinstance(factor, int) and factor > 0 else self.factor_default)

    def violation(self, width: int, height: int, get: Callable[[str], Any]) -> str | None:
        """Why ``width x height`` breaks the budget (``None`` = it fits)."""
        if not self.applies(get):
            return None
        total = self.total(width, height, get)
        if self.max_pixels is not None and total > self.max_pixels:
            return f"{total:,} pixels in all is above the {self.max_pixels:,} budget ({self.message})"
        if self.min_pixels is not None and total < self.min_pixels:
            return f"{total:,} pixels in all is below the {self.min_pixels:,} minimum ({self.message})"
        return None


@attrs.frozen
class InputsWhen:
    """Input limits that replace the model's ``inputs`` when option ``when`` is set (to one of
    ``equals``): e.g. a request form that carries images as data URLs of bounded length."""

    when: str
    inputs: InputLimits
    reason: str
    equals: frozenset[Any] | None = attrs.field(default=None, converter=_optional_set)

    def applies(self, get: Callable[[str], Any]) -> bool:
        value = get(self.when)
        return value is not None and (self.equals is None or value in self.equals)


@attrs.frozen(kw_only=True)
class Capabilities:
    """A model's declared abilities and limits, checked by the core before anything is sent.

    Empty sets mean "not supported". Request options are checked against the matching fields
    (``sizes``, ``aspect_ratios``, ``qualities``, ``output_formats``, ``seed``/``seed_range``, ...);
    ``rules``, ``budgets``, ``advisories``, ``required_options`` and ``operation_options`` add
    cross-option constraints; ``defaults`` are the values the provider applies to unset options
    (read by ``Rule.requires`` and advisories, only where the option is valid in the operation).
    ``sizes=Sizes.ratios(...)`` and ``aspect_ratios`` must list the same ratios. See
    docs/writing-a-plugin.md.
    """

    operations: frozenset[Operation] = attrs.field(default=frozenset({Operation.GENERATE}), converter=_ops)
    transparent_background: bool = False
    mask: bool = False
    mask_required: bool = False
    """Edits must come with a mask (e.g. FLUX Fill): an edit without one is refused before sending."""
    input_fidelity: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)
    max_input_images: int = 0
    max_images_per_call: int = 1
    max_n: int | None = None
    sizes: Sizes = Sizes()
    aspect_ratios: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)
    qualities: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)
    output_formats: frozenset[str] = attrs.field(default=frozenset({"png"}), converter=_strs)
    output_compression: bool = False
    streaming: bool = False
    max_partial_images: int = 0
    seed: bool = False
    seed_range: tuple[int, int] | None = attrs.field(default=None, converter=_seed_range)
    """The seeds the provider accepts, ``(low, high)`` whole numbers with ``0 <= low <= high``, both
    ends included (``None``: any seed tryon takes, >= 0). A
    seed outside is refused before sending; fan-out's per-call seeds (seed, seed + 1, ...) wrap
    around inside it (see :mod:`tryon.fanout`)."""
    moderation: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)
    max_prompt_length: int | None = None
    inputs: InputLimits = InputLimits()
    lifecycle: Lifecycle = Lifecycle()
    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_to_tuple)
    defaults: Mapping[str, Any] = attrs.field(factory=dict, converter=_mapping, hash=False)
    provider_options: type | None = attrs.field(default=None, hash=False)
    image_options: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)
    """Provider options that hold an overlay image of the first input (same size, transparent where it
    does not apply); the core loads and checks them like inputs."""
    max_resolution: str | None = None
    deviations: Deviations = Deviations()
    """Documented differences between what is asked and what the model returns (notices, not errors)."""
    format_sizes: Mapping[str, Sizes] = attrs.field(factory=dict, converter=_mapping, hash=False)
    """Sizes by output format, where a format has its own (a GIF's frame sizes); else ``sizes``."""
    budgets: tuple[PixelBudget, ...] = attrs.field(default=(), converter=_to_tuple)
    advisories: tuple[Advisory, ...] = attrs.field(default=(), converter=_to_tuple)
    inputs_when: tuple[InputsWhen, ...] = attrs.field(default=(), converter=_to_tuple)
    unstreamable_formats: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)
    """Output formats this model cannot stream (partial images or streamed events)."""
    required_options: Mapping[str, frozenset[Operation]] = attrs.field(
        factory=dict, converter=_option_operations, hash=False)
    """Options a request must set, with the operations that need them: ``{"strength": {"edit"}}``
    (a collection of names: every operation). A request without one is refused before sending.
    Names are request options (``"aspect_ratio"``) or provider options (``"strength"`` or
    ``"options.strength"``)."""
    operation_options: Mapping[str, frozenset[Operation]] = attrs.field(
        factory=dict, converter=_option_operations, hash=False)
    """Options valid for some operations only: ``{"aspect_ratio": {"generate"}}``. A request of
    another operation that sets one is refused before sending (lenient mode drops it)."""
    max_concurrent_calls: int = 4
    """How many calls of one fanned-out request run at once (``n`` beyond ``max_images_per_call``)."""
    price: Price | None = attrs.field(default=None, hash=False, eq=False)
    """How the model is billed (see :mod:`tryon.pricing`); ``None``: no published price known. Its
    sources become the ``price`` fact group of :attr:`sources` unless that group is declared."""
    sources: Provenance = attrs.field(factory=Provenance, hash=False, eq=False)
    """Where each fact group of this declaration comes from (see :mod:`tryon.provenance`)."""
    try_on: TryOnCapabilities | None = attrs.field(default=None, hash=False)
    """How the model serves virtual try-on (with ``Operation.TRY_ON`` in ``operations``); see
    :mod:`tryon.vto` and docs/try-on.md."""

    def __attrs_post_init__(self) -> None:
        if self.max_images_per_call < 1:
            raise ValueError("max_images_per_call must be at least 1")
        if Operation.EDIT in self.operations and self.max_input_images < 1:
            raise ValueError("max_input_images must be at least 1: a model that edits must accept at least one "
                             "input image")
        if (Operation.TRY_ON in self.operations) != (self.try_on is not None):
            raise ValueError("Operation.TRY_ON in operations and a try_on=TryOnCapabilities(...) go together")
        if self.try_on is not None and self.try_on.composition is not None:
            if Operation.EDIT not in self.operations:
                raise ValueError("composition try-on runs the model's edit path: it needs Operation.EDIT")
            if self.try_on.max_garments > self.max_input_images - 1:
                raise ValueError(f"composition try-on sends the person and each garment as edit inputs: "
                                 f"max_garments={self.try_on.max_garments} needs max_input_images >= "
                                 f"{self.try_on.max_garments + 1} (it is {self.max_input_images})")
            if "image" in self.try_on.mask_modes and not self.mask:
                raise ValueError("composition try-on with mask_modes 'image' needs an edit that takes a mask")
        if self.mask_required and not self.mask:
            raise ValueError("mask_required needs mask=True")
        if self.max_n is not None and self.max_n < 1:
            raise ValueError("max_n must be at least 1")
        if isinstance(self.max_concurrent_calls, bool) or not isinstance(self.max_concurrent_calls, int) \
                or self.max_concurrent_calls < 1:
            raise ValueError("max_concurrent_calls must be a whole number of at least 1")
        if self.max_partial_images and not self.streaming:
            raise ValueError("max_partial_images needs streaming=True")
        if self.provider_options is not None and not attrs.has(self.provider_options):
            raise TypeError("provider_options must be an attrs class")
        stray = (set(self.format_sizes) | self.unstreamable_formats) - self.output_formats
        if stray:
            raise ValueError(f"format_sizes/unstreamable_formats name formats not in output_formats: {sorted(stray)}")
        unknown = self.image_options - set(self.option_names())
        if unknown:
            raise ValueError(f"image_options {sorted(unknown)} are not fields of provider_options")
        if self.price is not None and not isinstance(self.price, Price):
            raise TypeError("price must be a tryon.pricing.Price")
        if self.price is not None and "price" not in self.sources.facts:
            object.__setattr__(self, "sources", self.sources.merged({"price": self.price.sources}))
        if self.seed_range is not None and not self.seed:
            raise ValueError("seed_range needs seed=True")
        sized = self.sizes.aspect_ratios
        if sized and self.aspect_ratios and self.sizes.ratio_range is None and sized != self.aspect_ratios:
            raise ValueError(f"aspect_ratios {sorted(self.aspect_ratios)} and the ratios of sizes=Sizes.ratios(...) "
                             f"{sorted(sized)} differ: a model that takes sizes as ratios takes the same ratios "
                             "either way (declare them once, in both)")
        every = frozenset(Operation)  # a collection of names means every operation *this model* offers
        for label in ("required_options", "operation_options"):
            declared = getattr(self, label)
            if any(ops == every for ops in declared.values()):
                object.__setattr__(self, label, MappingProxyType(
                    {name: (self.operations if ops == every else ops) for name, ops in declared.items()}))
        self._check_option_operations()
        unknown_facts = set(self.sources.facts) - fact_groups()
        if unknown_facts:
            raise ValueError(f"sources name unknown fact groups {sorted(unknown_facts)}; "
                             f"known: {', '.join(sorted(fact_groups()))}")

    def _check_option_operations(self) -> None:
        from tryon.request import EditRequest, GenerateRequest

        for label in ("required_options", "operation_options"):
            declared = getattr(self, label)
            if any(ops == _EVERY_OPERATION for ops in declared.values()):
                object.__setattr__(self, label, MappingProxyType(
                    {k: (self.operations if v == _EVERY_OPERATION else v) for k, v in declared.items()}))

        fields = (GenerateRequest.field_names() | EditRequest.field_names()) - {"prompt", "options"}
        provider = set(self.option_names())
        for label, declared in (("required_options", self.required_options),
                                ("operation_options", self.operation_options)):
            for name, ops in declared.items():
                bare = name.removeprefix("options.")
                if not (bare in provider or (bare == name and bare in fields)):
                    raise ValueError(f"{label} names {name!r}, which is neither a request option nor a field of "
                                     "provider_options")
                if ops - self.operations:
                    raise ValueError(f"{label} gives {name!r} operations the model does not offer: "
                                     f"{sorted(o.value for o in ops - self.operations)}")
        for name, ops in self.required_options.items():
            allowed = self.operation_options.get(name)
            if allowed is not None and ops - allowed:
                raise ValueError(f"{name!r} is required for {sorted(o.value for o in ops - allowed)}, where "
                                 "operation_options does not allow it")

    def required_for(self, operation: Operation | str) -> tuple[str, ...]:
        """The options a request of *operation* must set."""
        op = Operation(operation)
        return tuple(name for name, ops in self.required_options.items() if op in ops)

    def allows_option(self, name: str, operation: Operation | str) -> bool:
        """Whether option *name* may be set in a request of *operation* (see :attr:`operation_options`).

        On a model whose sizes are aspect ratios only (:attr:`ratio_only`), ``size`` is the ratio form
        of ``aspect_ratio``: restricting either to some operations restricts both."""
        if self.ratio_only and name in ("size", "aspect_ratio"):
            return all(self._declared_allows(n, operation) for n in ("size", "aspect_ratio"))
        return self._declared_allows(name, operation)

    def _declared_allows(self, name: str, operation: Operation | str) -> bool:
        bare = name.removeprefix("options.")
        for declared, ops in self.operation_options.items():
            if declared.removeprefix("options.") == bare:
                return Operation(operation) in ops
        return True

    @property
    def ratio_only(self) -> bool:
        """Whether the model takes sizes only as aspect ratios (``Sizes.ratios`` or
        ``Sizes.ratio_between``, no pixel rule): a ``size`` is then sent as its aspect ratio, and
        operation_options, required_options, rules and advisories read it as ``aspect_ratio``."""
        return self.sizes.rule is None and bool(self.sizes.aspect_ratios or self.sizes.ratio_range is not None)

    def accepts_seed(self, seed: int) -> bool:
        """Whether *seed* is one the provider takes (a model with ``seed=False`` takes none)."""
        if not self.seed:
            return False
        return self.seed_range is None or self.seed_range[0] <= seed <= self.seed_range[1]

    @property
    def can_edit(self) -> bool:
        return Operation.EDIT in self.operations

    @property
    def can_generate(self) -> bool:
        return Operation.GENERATE in self.operations

    @property
    def can_try_on(self) -> bool:
        return Operation.TRY_ON in self.operations

    def supports(self, feature: str) -> bool:
        """Whether this model has *feature* (a name from :data:`FEATURES`)."""
        return feature_test(feature)(self)

    def sizes_for(self, output_format: str | None) -> Sizes:
        """The sizes accepted for *output_format* (``None`` = the default format)."""
        fmt = output_format if output_format is not None else self.defaults.get("output_format")
        return self.format_sizes.get(fmt, self.sizes) if fmt is not None else self.sizes

    def inputs_for(self, get: Callable[[str], Any]) -> InputLimits:
        """The input limits of a request (read through *get*): the first matching ``inputs_when``."""
        for rule in self.inputs_when:
            if rule.applies(get):
                return rule.inputs
        return self.inputs

    def largest_size(self) -> str | None:
        """The largest output size that can be told from the declaration, as ``WxH``."""
        if self.max_resolution:
            return self.max_resolution
        big = self.sizes.largest()
        return f"{big[0]}x{big[1]}" if big else None

    def option_names(self) -> tuple[str, ...]:
        """Names of the provider-specific options this model takes."""
        if self.provider_options is None:
            return ()
        return tuple(a.name for a in attrs.fields(self.provider_options))


def fact_groups() -> frozenset[str]:
    """The names a :class:`~tryon.provenance.Provenance` may use: Capabilities fields and extras."""
    return frozenset(a.name for a in attrs.fields(Capabilities) if a.name != "sources") | EXTRA_FACTS


FEATURES: Mapping[str, Callable[[Capabilities], bool]] = MappingProxyType({
    "generate": lambda c: c.can_generate,
    "edit": lambda c: c.can_edit,
    "try_on": lambda c: c.can_try_on,
    "transparent_background": lambda c: c.transparent_background,
    "mask": lambda c: c.mask,
    "input_fidelity": lambda c: bool(c.input_fidelity),
    "multi_image": lambda c: c.max_input_images > 1,
    "arbitrary_sizes": lambda c: c.sizes.arbitrary,
    "aspect_ratios": lambda c: bool(c.aspect_ratios) or c.sizes.ratio_range is not None,
    "streaming": lambda c: c.streaming,
    "partial_images": lambda c: c.max_partial_images > 0,
    "seed": lambda c: c.seed,
    "output_compression": lambda c: c.output_compression,
    "moderation": lambda c: bool(c.moderation),
    "batch_n": lambda c: c.max_images_per_call > 1,
})
"""Named features that :meth:`Capabilities.supports` and ``tryon models --supports`` know."""


def feature_test(feature: str) -> Callable[[Capabilities], bool]:
    """The test of a named feature; an unknown name is an ``InvalidOptionError`` listing the known ones."""
    try:
        return FEATURES[feature]
    except KeyError:
        from tryon.errors import InvalidOptionError, Problem

        known = ", ".join(sorted(FEATURES))
        raise InvalidOptionError(
            [Problem("supports", feature, f"unknown feature {feature!r}; known features: {known}")]
        ) from None
