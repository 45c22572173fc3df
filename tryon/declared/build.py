"""A model's :class:`~tryon.capabilities.Capabilities` from one entry of a models file.

The file speaks the plugins' vocabulary: the same field names as ``Capabilities`` (``sizes``,
``inputs``, ``lifecycle``, ``price``, ``sources``, ...), with plain TOML values. Every problem
is collected as a :class:`FieldProblem` naming the field's path, so that the loader can say
which line of which file is wrong; one entry's problems never stop another entry.
"""

from __future__ import annotations

import datetime as dt
import difflib
import keyword
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from tryon.capabilities import Capabilities, Lifecycle, Operation, Rule, fact_groups
from tryon.errors import InvalidOptionError, Problem
from tryon.media.limits import InputLimits
from tryon.pricing import PerImage, PerMegapixel, Price
from tryon.provenance import Provenance, Source, SourceKind
from tryon.sizes import RatioRange, SizeRule, Sizes, parse_ratio, parse_size

__all__ = ["CAPABILITY_FIELDS", "ENTRY_FIELDS", "EntryError", "FieldProblem", "build_capabilities"]

Path = tuple[str, ...]


@attrs.frozen
class FieldProblem:
    """What is wrong with one field of an entry (``path`` as written: ``("sizes", "rule", "max_edge")``)."""

    path: Path
    message: str

    @property
    def field(self) -> str:
        return ".".join(self.path)


class EntryError(Exception):
    """The problems of one entry (the loader turns them into a :class:`~tryon.declared.ModelsFileError`)."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


ENTRY_FIELDS = frozenset({"id", "backend", "provider", "model", "base_url", "api_key_env", "aliases",
                          "endpoint", "description"})
"""Fields of an entry that say where the model is served (the rest are capabilities)."""

_BOOLS = ("transparent_background", "mask", "mask_required", "output_compression", "seed")
_STR_SETS = ("input_fidelity", "aspect_ratios", "qualities", "output_formats", "moderation")
_INTS = ("max_input_images", "max_images_per_call", "max_n", "max_prompt_length", "max_concurrent_calls")
CAPABILITY_FIELDS = frozenset({"operations", *_BOOLS, *_STR_SETS, *_INTS, "sizes", "inputs", "lifecycle",
                               "defaults", "options", "price", "sources", "rules", "max_resolution", "seed_range",
                               "required_options", "operation_options"})

_SIZE_RULE = {a.name for a in attrs.fields(SizeRule)}
_INPUT_FIELDS = {a.name for a in attrs.fields(InputLimits)}
_LIFECYCLE = {"status", "deprecated_on", "shutdown_on", "successors", "note"}
_SOURCE = {"where", "checked", "kind", "note", "verified"}
_OPTION = {"type", "choices", "min", "max", "doc", "send_as"}
_RULE = {"kind", "when", "equals", "then", "allowed", "message"}
_PRICE = {"per_image", "per_megapixel", "credit_usd", "upper_bound", "approximation"}
_PER_MP = {a.name for a in attrs.fields(PerMegapixel)}
_TYPES: Mapping[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _suggest(name: str, known: set[str] | frozenset[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(known))}"


class _Reader:
    """Reads typed values out of an entry, recording problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(FieldProblem(path, message))

    def table(self, value: Any, path: Path, known: set[str] | frozenset[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"must be a table, not {_kind(value)}")
            return {}
        if known is not None:
            for name in value:
                if name not in known:
                    self.fail((*path, name), f"unknown field {name!r}{_suggest(name, known)}")
        return value

    def whole(self, value: Any, path: Path, *, least: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            self.fail(path, f"must be a whole number of at least {least}, not {value!r}")
            return None
        return value

    def number(self, value: Any, path: Path) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(path, f"must be a number of at least 0, not {value!r}")
            return None
        return float(value)

    def flag(self, value: Any, path: Path) -> bool | None:
        if not isinstance(value, bool):
            self.fail(path, f"must be true or false, not {value!r}")
            return None
        return value

    def text(self, value: Any, path: Path) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"must be a non-empty string, not {value!r}")
            return None
        return value

    def texts(self, value: Any, path: Path) -> list[str] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(path, f"must be a list of strings, not {value!r}")
            return None
        return value

    def date(self, value: Any, path: Path) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, f"must be a date such as 2026-12-01, not {value!r}")
        return None


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(type(value),
                                                                                      type(value).__name__)


def _sizes(r: _Reader, value: Any) -> Sizes | None:
    known = {"exact", "aspect_ratios", "auto", "rule", "ratio_range"}
    table = r.table(value, ("sizes",), known)
    before = len(r.problems)
    exact = r.texts(table.get("exact", []), ("sizes", "exact")) or []
    for size in exact:
        if parse_size(size) is None:
            r.fail(("sizes", "exact"), f"{size!r} is not a size such as '1024x1024'")
    ratios = r.texts(table.get("aspect_ratios", []), ("sizes", "aspect_ratios")) or []
    for ratio in ratios:
        if parse_ratio(ratio) is None:
            r.fail(("sizes", "aspect_ratios"), f"{ratio!r} is not an aspect ratio such as '16:9'")
    auto = r.flag(table.get("auto", False), ("sizes", "auto"))
    rule = None
    if "rule" in table:
        fields = r.table(table["rule"], ("sizes", "rule"), _SIZE_RULE)
        values: dict[str, Any] = {}
        for name, raw in fields.items():
            if name in ("min_aspect", "max_aspect"):
                values[name] = r.number(raw, ("sizes", "rule", name))
            elif name in _SIZE_RULE:
                values[name] = r.whole(raw, ("sizes", "rule", name), least=1)
        if len(r.problems) == before:
            rule = SizeRule(**values)
    ratio_range = None
    if "ratio_range" in table:
        bounds = r.texts(table["ratio_range"], ("sizes", "ratio_range"))
        if bounds is not None and len(bounds) == 2:
            try:
                ratio_range = RatioRange(bounds[0], bounds[1])
            except ValueError as exc:
                r.fail(("sizes", "ratio_range"), str(exc))
        elif bounds is not None:
            r.fail(("sizes", "ratio_range"), "must be [tallest, widest], e.g. ['9:21', '21:9']")
    if len(r.problems) != before:
        return None
    if not (exact or ratios or auto or rule or ratio_range):
        r.fail(("sizes",), "declares no size: give exact, aspect_ratios, rule, ratio_range or auto")
        return None
    return Sizes(exact=frozenset(exact), rule=rule, aspect_ratios=frozenset(ratios), auto=bool(auto),
                 ratio_range=ratio_range)


def _inputs(r: _Reader, value: Any) -> InputLimits | None:
    table = r.table(value, ("inputs",), _INPUT_FIELDS)
    values: dict[str, Any] = {}
    for name, raw in table.items():
        path = ("inputs", name)
        if name == "accepted_types":
            values[name] = r.texts(raw, path)
        elif name == "mask_format":
            values[name] = r.text(raw, path)
        elif name in _INPUT_FIELDS:
            values[name] = r.whole(raw, path, least=1)
    if any(v is None for v in values.values()):
        return None
    try:
        return InputLimits(**values)
    except (TypeError, ValueError) as exc:
        r.fail(("inputs",), str(exc))
        return None


def _lifecycle(r: _Reader, value: Any) -> Lifecycle | None:
    table = r.table(value, ("lifecycle",), _LIFECYCLE)
    values: dict[str, Any] = {}
    for name, raw in table.items():
        path = ("lifecycle", name)
        if name in ("deprecated_on", "shutdown_on"):
            values[name] = r.date(raw, path)
        elif name == "successors":
            values[name] = r.texts(raw, path)
        elif name in ("status", "note"):
            values[name] = r.text(raw, path)
    if any(v is None for v in values.values()):
        return None
    try:
        return Lifecycle(**values)
    except (TypeError, ValueError) as exc:
        r.fail(("lifecycle", "status"), f"{exc}; use active, preview, deprecated or retired")
        return None


def _source(r: _Reader, value: Any, path: Path) -> Source | None:
    table = r.table(value, path, _SOURCE)
    if not table:
        return None
    where = r.text(table.get("where"), (*path, "where"))
    checked = r.date(table.get("checked"), (*path, "checked"))
    kind = table.get("kind", "official")
    if kind not in {k.value for k in SourceKind}:
        r.fail((*path, "kind"), f"must be one of {', '.join(k.value for k in SourceKind)}, not {kind!r}")
        return None
    note = table.get("note", "")
    if not isinstance(note, str):
        r.fail((*path, "note"), "must be a string")
        return None
    verified = r.flag(table.get("verified", True), (*path, "verified"))
    if where is None or checked is None or verified is None:
        return None
    return Source(where=where, checked=checked, kind=SourceKind(kind), note=note, verified=verified)


def _sources(r: _Reader, value: Any) -> Provenance | None:
    groups = fact_groups()
    table = r.table(value, ("sources",), groups)
    out: dict[str, list[Source]] = {}
    for group, raw in table.items():
        if group not in groups:
            continue
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            r.fail(("sources", group), "lists no source")
        for i, item in enumerate(items):
            source = _source(r, item, ("sources", group) if len(items) == 1 else ("sources", group, str(i)))
            if source is not None:
                out.setdefault(group, []).append(source)
    return Provenance(out) if out else None


def _options(r: _Reader, value: Any, model: str) -> tuple[type | None, dict[str, str]]:
    """An attrs class of the declared options (typed, validated), and each option's wire name."""
    table = r.table(value, ("options",))
    fields: dict[str, Any] = {}
    wire: dict[str, str] = {}
    for name, raw in table.items():
        path = ("options", name)
        if not _NAME.match(name) or keyword.iskeyword(name):
            r.fail(path, f"option name {name!r} must be a Python identifier (letters, digits, _)")
            continue
        spec = r.table(raw, path, _OPTION)
        kind = spec.get("type")
        if not isinstance(kind, str) or kind not in _TYPES:
            r.fail((*path, "type"), f"must be one of {', '.join(_TYPES)}, not {kind!r}")
            continue
        choices = spec.get("choices")
        if choices is not None and (not isinstance(choices, list) or not choices
                                    or not all(_is(c, kind) for c in choices)):
            r.fail((*path, "choices"), f"must be a non-empty list of {kind} values")
            continue
        low, high = spec.get("min"), spec.get("max")
        for bound, label in ((low, "min"), (high, "max")):
            if bound is not None and (kind not in ("int", "float") or not _is(bound, kind)):
                r.fail((*path, label), f"must be a {kind} (only int and float options take {label})")
        send_as = spec.get("send_as", name)
        if not isinstance(send_as, str) or not send_as:
            r.fail((*path, "send_as"), "must be the field name the endpoint expects")
            continue
        wire[name] = send_as
        fields[name] = attrs.field(default=None, validator=_option_check(name, kind, choices, low, high, model))
    if not fields:
        return None, wire
    cls = attrs.make_class(f"DeclaredOptions_{re.sub(r'[^A-Za-z0-9]', '_', model)}", fields,
                           frozen=True, kw_only=True)
    cls.__doc__ = f"Options of the declared model {model!r}: " + ", ".join(sorted(fields))
    return cls, wire


def _is(value: Any, kind: str) -> bool:
    if kind != "bool" and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])


def _option_check(name: str, kind: str, choices: list[Any] | None, low: Any, high: Any,
                  model: str) -> Callable[[Any, Any, Any], None]:
    def check(_instance: Any, _attribute: Any, value: Any) -> None:
        if value is None:
            return
        why = None
        if not _is(value, kind):
            why = f"must be a {kind}, not {_kind(value)}"
        elif choices is not None and value not in choices:
            why = f"must be one of {', '.join(map(repr, choices))}"
        elif low is not None and value < low:
            why = f"must be at least {low}"
        elif high is not None and value > high:
            why = f"must be at most {high}"
        if why:
            raise InvalidOptionError([Problem(name, value, f"{model}: option {name}={value!r} {why}")],
                                     model=model)

    return check


def _price(r: _Reader, value: Any, sources: Provenance | None) -> Price | None:
    table = r.table(value, ("price",), _PRICE)
    rates: Any = None
    if ("per_image" in table) == ("per_megapixel" in table):
        r.fail(("price",), "give exactly one of per_image and per_megapixel")
        return None
    if "per_image" in table:
        flat = r.number(table["per_image"], ("price", "per_image"))
        rates = PerImage(flat=flat) if flat is not None else None
    else:
        mp = r.table(table["per_megapixel"], ("price", "per_megapixel"), _PER_MP)
        first, extra = mp.get("first_mp"), mp.get("extra_mp")
        first = r.number(first, ("price", "per_megapixel", "first_mp"))
        extra = r.number(extra, ("price", "per_megapixel", "extra_mp"))
        inputs = r.flag(mp.get("inputs", True), ("price", "per_megapixel", "inputs"))
        if first is not None and extra is not None and inputs is not None:
            rates = PerMegapixel(first_mp=first, extra_mp=extra, inputs=inputs)
    credit = table.get("credit_usd")
    credit_usd = r.number(credit, ("price", "credit_usd")) if credit is not None else None
    upper = r.flag(table.get("upper_bound", True), ("price", "upper_bound"))
    approximation = table.get("approximation", "")
    if upper is False and not (isinstance(approximation, str) and approximation.strip()):
        r.fail(("price", "approximation"), "a price that is not an upper bound must say what it leaves out")
        return None
    backing = sources.sources_for("price") if sources is not None else ()
    if not backing:
        r.fail(("sources",), "the price needs a source: add sources.price (or sources.\"*\")")
        return None
    if rates is None or upper is None:
        return None
    return Price(rates=rates, sources=backing, credit_usd=credit_usd, upper_bound=upper,
                 approximation=approximation if isinstance(approximation, str) else "")


def _rules(r: _Reader, value: Any) -> list[Rule]:
    if not isinstance(value, list):
        r.fail(("rules",), "must be a list of tables ([[models.rules]])")
        return []
    out = []
    for i, raw in enumerate(value):
        path = ("rules", str(i))
        spec = r.table(raw, path, _RULE)
        kind, when, then = spec.get("kind"), spec.get("when"), spec.get("then")
        message = spec.get("message")
        if kind not in ("requires", "excludes", "forbids"):
            r.fail((*path, "kind"), f"must be requires, excludes or forbids, not {kind!r}")
            continue
        if not (isinstance(when, str) and isinstance(then, str) and isinstance(message, str) and message):
            r.fail(path, "needs when, then and message (strings)")
            continue
        if kind == "excludes":
            out.append(Rule.excludes(when, then, message))
        elif kind == "forbids":
            out.append(Rule.forbids(when, spec.get("equals"), then, message))
        elif not isinstance(spec.get("allowed"), list):
            r.fail((*path, "allowed"), "a requires rule needs allowed = [values]")
        else:
            out.append(Rule.requires(when, spec.get("equals"), then, spec["allowed"], message))
    return out


_OUTPUT_FORMATS = frozenset({"png", "jpeg", "webp", "gif", "svg"})
_FORMAT_SPELLINGS = {"jpg": "jpeg"}


def _formats(r: _Reader, values: list[str], path: Path) -> list[str] | None:
    """tryon's names of the output formats (``jpg`` is ``jpeg``, as in requests); others are refused."""
    out = [_FORMAT_SPELLINGS.get(v.lower(), v.lower()) for v in values]
    unknown = [v for v in out if v not in _OUTPUT_FORMATS]
    if unknown:
        r.fail(path, f"unknown output format {unknown[0]!r}; tryon's formats are {', '.join(sorted(_OUTPUT_FORMATS))} "
               "(spell the endpoint's own names in the backend's endpoint table)")
        return None
    return out


def _seed_range(r: _Reader, value: Any) -> tuple[int, int] | None:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
            or value[0] > value[1]):
        r.fail(("seed_range",), f"must be [lowest, highest], whole numbers from 0, e.g. [0, 4294967294], not {value!r}")
        return None
    return value[0], value[1]


def _option_operations(r: _Reader, value: Any, label: str) -> Any:
    """``{option = ["edit"]}`` (the operations that need or allow it), or a list of options (every operation)."""
    operations = {o.value for o in Operation}
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return value
    if isinstance(value, dict):
        for name, ops in value.items():
            if not isinstance(ops, list) or not ops or not all(isinstance(o, str) and o in operations for o in ops):
                r.fail((label, name), f"must list operations ({', '.join(sorted(operations))}), not {ops!r}")
                return None
        return {name: frozenset(Operation(o) for o in ops) for name, ops in value.items()}
    r.fail((label,), "must be a table of option = [operations] or a list of options")
    return None


def _declared_groups(entry: Mapping[str, Any]) -> set[str]:
    groups = {name for name in entry if name in fact_groups()}
    groups.add("model")
    if "options" in entry:
        groups.discard("options")
        groups.add("options")
    return groups - {"sources", "defaults"}


def build_capabilities(entry: Mapping[str, Any], model: str) -> tuple[Capabilities, dict[str, str]]:
    """``Capabilities`` of *entry* and the wire names of its options; raises :class:`EntryError`."""
    r = _Reader()
    known = CAPABILITY_FIELDS | ENTRY_FIELDS
    for name in entry:
        if name not in known:
            r.fail((name,), f"unknown field {name!r}{_suggest(name, known)}")
    values: dict[str, Any] = {}
    if "operations" in entry:
        ops = r.texts(entry["operations"], ("operations",))
        if ops is not None:
            bad = [op for op in ops if op not in {o.value for o in Operation}]
            if bad or not ops:
                r.fail(("operations",), f"must list generate and/or edit, not {ops!r}")
            else:
                values["operations"] = ops
    for name in _BOOLS:
        if name in entry:
            values[name] = r.flag(entry[name], (name,))
    for name in _STR_SETS:
        if name in entry:
            values[name] = r.texts(entry[name], (name,))
    if values.get("output_formats"):
        values["output_formats"] = _formats(r, values["output_formats"], ("output_formats",))
    for name in _INTS:
        if name in entry:
            values[name] = r.whole(entry[name], (name,), least=0 if name == "max_input_images" else 1)
    if "max_resolution" in entry:
        values["max_resolution"] = r.text(entry["max_resolution"], ("max_resolution",))
    if "sizes" in entry:
        values["sizes"] = _sizes(r, entry["sizes"])
    if "inputs" in entry:
        values["inputs"] = _inputs(r, entry["inputs"])
    if "lifecycle" in entry:
        values["lifecycle"] = _lifecycle(r, entry["lifecycle"])
    if "defaults" in entry:
        defaults = dict(r.table(entry["defaults"], ("defaults",)))
        if isinstance(defaults.get("output_format"), str):
            fmt = _formats(r, [defaults["output_format"]], ("defaults", "output_format"))
            defaults["output_format"] = fmt[0] if fmt else defaults["output_format"]
        values["defaults"] = defaults
    if "rules" in entry:
        values["rules"] = _rules(r, entry["rules"])
    if "seed_range" in entry:
        values["seed_range"] = _seed_range(r, entry["seed_range"])
    for name in ("required_options", "operation_options"):
        if name in entry:
            values[name] = _option_operations(r, entry[name], name)
    options, wire = _options(r, entry["options"], model) if "options" in entry else (None, {})
    if options is not None:
        values["provider_options"] = options
    sources = _sources(r, entry["sources"]) if "sources" in entry else None
    if sources is None and "sources" not in entry:
        r.fail(("sources",), "every declared fact needs a source: add [models.sources] with \"*\" = "
               "{ where = \"https://...\", checked = 2026-12-01 } (or one per fact group)")
    if sources is not None:
        for group in sorted(_declared_groups(entry)):
            if not sources.sources_for(group):
                r.fail(("sources",), f"{group} has no source: add sources.{group} (or sources.\"*\")")
        values["sources"] = sources
    if "price" in entry:
        values["price"] = _price(r, entry["price"], sources)
    if r.problems or any(v is None for v in values.values()):
        if not r.problems:  # a None without a recorded problem cannot happen; keep the message honest
            r.fail((), "invalid declaration")
        raise EntryError(r.problems)
    try:
        return Capabilities(**values), wire
    except (TypeError, ValueError) as exc:
        text = str(exc)
        field = next((name for name in sorted(values) if text.startswith(name)), None)
        raise EntryError([FieldProblem((field,) if field else (), text)]) from None
