"""Capability tables rendered from the models' declarations (never written by hand).

Used by ``tryon models`` and to generate ``docs/capabilities.md``::

    python -m tryon.capability_table --write docs/capabilities.md
    python -m tryon.capability_table --check docs/capabilities.md   # exit 1 when stale

:func:`comparison_markdown` reproduces the seed documentation's "Comparison with Other
Models" table (one row per feature, one column per model) from the declarations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from tryon import lifecycle
from tryon.capabilities import Capabilities, Lifecycle
from tryon.router import ModelInfo, Router

__all__ = [
    "BUNDLED_PLUGINS",
    "COMPARISON_ROWS",
    "DEFAULT_COMPARISON",
    "bundled_router",
    "comparison_markdown",
    "comparison_rows",
    "markdown_table",
    "max_resolution",
    "model_details",
    "model_details_text",
    "render_document",
    "retiring_rows",
    "retiring_text",
    "summary_rows",
    "text_table",
]

YES, NO = "✅", "❌"
BUNDLED_PLUGINS: tuple[str, ...] = ("tryon_openai", "tryon_flux", "tryon_gemini", "tryon_replicate",
                                   "tryon_fal", "tryon_bedrock")
"""The provider plugins that ship in this repository (documented in ``docs/capabilities.md``)."""
DEFAULT_COMPARISON: tuple[str, ...] = ("gpt-image-1.5", "gpt-image-1", "flux-2-pro", "gemini-2.5-flash-image")
"""The models of the seed's comparison table (GPT-Image-1.5, GPT-Image-1, FLUX.2, Nano Banana)."""


def max_resolution(caps: Capabilities) -> str:
    """The largest output size, ``1536\N{MULTIPLICATION SIGN}1024``; ``custom`` for size rules without one."""
    largest = caps.largest_size()
    if largest:
        return largest.replace("x", "×")
    if caps.sizes.arbitrary:
        return "custom"
    return "—"


def _mark(value: bool) -> str:
    return YES if value else NO


COMPARISON_ROWS: tuple[tuple[str, Callable[[Capabilities], str]], ...] = (
    ("Max Resolution", max_resolution),
    ("Transparent BG", lambda c: _mark(c.transparent_background)),
    ("Multi-Image Input", lambda c: _mark(c.max_input_images > 1)),
    ("Input Fidelity Control", lambda c: _mark(bool(c.input_fidelity))),
    ("Mask Editing", lambda c: _mark(c.mask)),
)
"""The seed's comparison rows, each computed from a model's capabilities."""


def _md_row(cells: Iterable[Any]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = [_md_row(header), "|" + "|".join("---" for _ in header) + "|"]
    lines.extend(_md_row(r) for r in rows)
    return "\n".join(lines) + "\n"


def comparison_rows(infos: Sequence[ModelInfo]) -> list[dict[str, str]]:
    """One mapping per feature row: ``{"Feature": ..., model: cell, ...}``."""
    return [{"Feature": label, **{i.model: cell(i.capabilities) for i in infos}}
            for label, cell in COMPARISON_ROWS]


def comparison_markdown(infos: Sequence[ModelInfo]) -> str:
    """The seed's comparison table for *infos* (features as rows, models as columns)."""
    header = ["Feature", *(i.model for i in infos)]
    return _md_table(header, ([r[h] for h in header] for r in comparison_rows(infos)))


def sizes_brief(caps: Capabilities) -> str:
    rule = caps.sizes.rule
    if rule is not None:
        if rule.max_pixels and not (rule.max_long_edge and rule.max_short_edge):
            return f"any WxH up to {rule.max_pixels / 1e6:.1f} MP"
        return f"any up to {max_resolution(caps)}"
    if caps.sizes.ratio_range is not None:
        return f"aspect {caps.sizes.ratio_range.tallest} to {caps.sizes.ratio_range.widest}"
    if caps.sizes.aspect_ratios or caps.aspect_ratios:
        return f"{len(caps.sizes.aspect_ratios | caps.aspect_ratios)} aspect ratios"
    if not caps.sizes.exact:
        return "auto only" if caps.sizes.auto else "provider's choice"
    return f"{len(caps.sizes.exact)} fixed" + (" + auto" if caps.sizes.auto else "")


def _status(life: Lifecycle, day: dt.date | None) -> str:
    """The status on *day*; the declared status (with its dates) when *day* is ``None``."""
    return life.status if day is None else lifecycle.status_on(life, day)


def summary_rows(infos: Sequence[ModelInfo], day: dt.date | None = None) -> list[dict[str, Any]]:
    """One JSON-ready summary per model (the columns of the capability table).

    ``status`` is the status on *day* (from the lifecycle dates); without *day*, the declared one.
    """
    rows = []
    for info in infos:
        c = info.capabilities
        rows.append({
            "model": info.model,
            "provider": info.provider,
            "status": _status(c.lifecycle, day),
            "operations": sorted(op.value for op in c.operations),
            "max_resolution": max_resolution(c),
            "sizes": sizes_brief(c),
            "transparent_background": c.transparent_background,
            "mask": c.mask,
            "input_fidelity": sorted(c.input_fidelity),
            "max_input_images": c.max_input_images,
            "max_images_per_call": c.max_images_per_call,
            "streaming": c.streaming,
            "seed": c.seed,
            "output_formats": sorted(c.output_formats),
            "price": c.price.brief() if c.price is not None else "unknown",
            "from": info.plugin or "-",
        })
    return rows


_SUMMARY_COLUMNS = (
    ("Model", "model"), ("Provider", "provider"), ("Status", "status"), ("Operations", "operations"),
    ("Max resolution", "max_resolution"), ("Sizes", "sizes"), ("Transparent BG", "transparent_background"),
    ("Mask", "mask"), ("Input fidelity", "input_fidelity"), ("Input images", "max_input_images"),
    ("Images/call", "max_images_per_call"), ("Streaming", "streaming"), ("Seed", "seed"),
    ("Formats", "output_formats"), ("Price", "price"),
)


def _cell(value: Any, *, yes: str, no: str) -> str:
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, list):
        return ", ".join(value) if value else no
    return str(value)


def markdown_table(infos: Sequence[ModelInfo], day: dt.date | None = None) -> str:
    """Every model as a row of the capability table, in Markdown."""
    rows = summary_rows(infos, day)
    return _md_table([h for h, _ in _SUMMARY_COLUMNS],
                     ([_cell(r[k], yes=YES, no=NO) for _, k in _SUMMARY_COLUMNS] for r in rows))


def _aligned(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
    return "\n".join(lines) + "\n"


# the text table also says where each model comes from: its plugin, or the models file declaring it
_TEXT_COLUMNS = (*(c for c in _SUMMARY_COLUMNS if c[1] not in {"sizes", "output_formats", "seed", "price"}),
                 ("From", "from"), ("Price", "price"))


def text_table(infos: Sequence[ModelInfo], day: dt.date | None = None) -> str:
    """The capability table for a terminal (plain ASCII marks, aligned columns)."""
    rows = [[_cell(r[k], yes="yes", no="-") for _, k in _TEXT_COLUMNS] for r in summary_rows(infos, day)]
    return _aligned([h for h, _ in _TEXT_COLUMNS], rows)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def retiring_rows(infos: Sequence[ModelInfo], day: dt.date) -> list[dict[str, Any]]:
    """Models with lifecycle dates, soonest shutdown first: status on *day*, dates, successors."""
    rows = []
    for info in infos:
        life = info.capabilities.lifecycle
        rows.append({
            "model": info.model,
            "provider": info.provider,
            "status": lifecycle.status_on(life, day),
            "deprecated_on": _iso(life.deprecated_on),
            "shutdown_on": _iso(life.shutdown_on),
            "days_left": (life.shutdown_on - day).days if life.shutdown_on else None,
            "successors": list(life.successors),
            "note": life.note,
        })
    return sorted(rows, key=lambda r: (r["shutdown_on"] or "9999", r["model"]))


def retiring_text(infos: Sequence[ModelInfo], day: dt.date) -> str:
    """The ``tryon models --retiring`` table for a terminal."""
    header = ["Model", "Provider", "Status", "Deprecated", "Shutdown", "Days left", "Successors"]
    rows = [[r["model"], r["provider"], r["status"], r["deprecated_on"] or "-", r["shutdown_on"] or "-",
             "-" if r["days_left"] is None else str(r["days_left"]), ", ".join(r["successors"]) or "-"]
            for r in retiring_rows(infos, day)]
    return _aligned(header, rows)


def comparison_text(infos: Sequence[ModelInfo]) -> str:
    """The seed's comparison table for a terminal."""
    header = ["Feature", *(i.model for i in infos)]
    rows = [[r[h].replace(YES, "yes").replace(NO, "no") for h in header] for r in comparison_rows(infos)]
    return _aligned(header, rows)


# --------------------------------------------------------------------------- one model


def _options_of(caps: Capabilities) -> dict[str, str]:
    if caps.provider_options is None:
        return {}
    out = {}
    for field in attrs.fields(caps.provider_options):
        kind = field.type
        out[field.name] = kind if isinstance(kind, str) else getattr(kind, "__name__", repr(kind))
    return out


def _json_value(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def _declared_lifecycle(life: Lifecycle, model: str) -> str:
    """The declared lifecycle in words, independent of today's date (for the generated document)."""
    text = f"{model}: declared {life.status}"
    dates = [f"deprecated on {life.deprecated_on}"] if life.deprecated_on else []
    dates += [f"shutdown on {life.shutdown_on}"] if life.shutdown_on else []
    if dates:
        text += " (" + ", ".join(dates) + ")"
    if life.successors:
        text += f"; successors: {', '.join(life.successors)}"
    return text + (f"; {life.note}" if life.note else "")


def model_details(info: ModelInfo, day: dt.date | None = None) -> dict[str, Any]:
    """Everything declared about one model, JSON-ready, with the sources of each fact group.

    ``lifecycle.status`` and ``lifecycle.summary`` are read on *day* (default: today).
    """
    from tryon.testing.provenance import missing_sources

    c = info.capabilities
    life = c.lifecycle
    limits = c.inputs
    day = day or lifecycle.today()
    return {
        "model": info.model,
        "provider": info.provider,
        "plugin": info.plugin,
        "aliases": list(info.aliases),
        "lifecycle": {
            "status": lifecycle.status_on(life, day),
            "declared_status": life.status,
            "deprecated_on": _iso(life.deprecated_on),
            "shutdown_on": _iso(life.shutdown_on),
            "retired_on": _iso(life.retired_on),
            "successors": list(life.successors),
            "note": life.note,
            "summary": lifecycle.describe_on(life, info.model, day),
        },
        "sources": c.sources.as_dict(),
        "unverified": list(c.sources.unverified()),
        "unsourced": missing_sources(c),
        "operations": sorted(op.value for op in c.operations),
        "features": info.features(),
        "max_resolution": max_resolution(c),
        "sizes": c.sizes.describe(),
        "aspect_ratios": sorted(c.aspect_ratios | c.sizes.aspect_ratios),
        "qualities": sorted(c.qualities),
        "transparent_background": c.transparent_background,
        "mask": c.mask,
        "input_fidelity": sorted(c.input_fidelity),
        "max_input_images": c.max_input_images,
        "max_images_per_call": c.max_images_per_call,
        "max_n": c.max_n,
        "output_formats": sorted(c.output_formats),
        "output_compression": c.output_compression,
        "streaming": c.streaming,
        "max_partial_images": c.max_partial_images,
        "seed": c.seed,
        "moderation": sorted(c.moderation),
        "max_prompt_length": c.max_prompt_length,
        "inputs": {
            "accepted_types": sorted(limits.accepted_types),
            "max_bytes": limits.max_bytes,
            "max_pixels": limits.max_pixels,
            "max_edge": limits.max_edge,
            "max_count": limits.max_count,
            "mask_max_bytes": limits.mask_max_bytes,
            "mask_format": limits.mask_format,
        },
        "rules": [r.message for r in c.rules],
        "seed_range": list(c.seed_range) if c.seed_range is not None else None,
        "required_options": {k: sorted(op.value for op in v) for k, v in c.required_options.items()},
        "operation_options": {k: sorted(op.value for op in v) for k, v in c.operation_options.items()},
        "defaults": _json_value(c.defaults),
        "provider_options": _options_of(c),
        "price": c.price.as_dict() if c.price is not None else None,
        "try_on": _try_on_details(c),
    }


def _try_on_details(c: Capabilities) -> dict[str, Any] | None:
    t = c.try_on
    if t is None:
        return None
    return {
        "how": "composition" if t.composition is not None else "dedicated",
        "categories": dict(t.categories), "category_sent": t.category_sent, "auto_category": t.auto_category,
        "max_garments": t.max_garments,
        "prompt": t.prompt, "mask_modes": sorted(t.mask_modes), "modes": dict(t.modes),
        "photo_types": dict(t.photo_types),
    }


def try_on_text(c: Capabilities) -> str:
    """The try-on declaration in one line (``-`` for a model without try-on)."""
    d = _try_on_details(c)
    if d is None:
        return "-"
    if d["how"] == "composition":
        what = "by composition (a multi-image edit; every category named in the prompt)"
    elif not d["category_sent"]:
        what = "dedicated; scope " + ", ".join(d["categories"]) + " (no category is sent)"
    else:
        what = "dedicated; categories " + ", ".join(f"{k}→{v}" for k, v in d["categories"].items())
    parts = [what, "garment without a category: " + ("yes (the model tells)" if d["auto_category"] else "no"),
             f"{d['max_garments']} garment(s) per call", f"prompt {d['prompt']}", f"mask {'/'.join(d['mask_modes'])}"]
    if d["modes"]:
        parts.append("modes " + "/".join(d["modes"]))
    if d["photo_types"]:
        parts.append("photo types " + "/".join(d["photo_types"]))
    return "; ".join(parts)


_DETAIL_LABELS = (
    ("provider", "Provider"), ("plugin", "Plugin"), ("aliases", "Aliases"), ("operations", "Operations"),
    ("max_resolution", "Max resolution"), ("sizes", "Sizes"), ("aspect_ratios", "Aspect ratios"),
    ("qualities", "Qualities"), ("transparent_background", "Transparent background"),
    ("mask", "Mask editing"),
    ("input_fidelity", "Input fidelity"), ("max_input_images", "Max input images"),
    ("max_images_per_call", "Images per call"), ("max_n", "Max n per request"),
    ("output_formats", "Output formats"), ("output_compression", "Output compression"),
    ("streaming", "Streaming"), ("max_partial_images", "Max partial images"), ("seed", "Seed"),
    ("moderation", "Moderation"), ("max_prompt_length", "Max prompt length"),
)


_UNLIMITED = frozenset({"max_n", "max_prompt_length"})


def _detail(d: Mapping[str, Any], key: str) -> str:
    if key in _UNLIMITED and d[key] is None:
        return "no limit"
    return _detail_value(d[key])


def _detail_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "-"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, [], "")) or "-"
    if value is None:
        return "-"
    return str(value)


def _inputs_text(caps: Capabilities) -> str:
    from tryon.media.limits import describe_bytes
    from tryon.media.sniff import format_name

    limits = caps.inputs
    parts = [", ".join(sorted(format_name(t) for t in limits.accepted_types))]
    if limits.max_bytes:
        parts.append(f"up to {describe_bytes(limits.max_bytes)} each")
    if limits.max_count:
        parts.append(f"{limits.max_count} per request")
    if limits.max_pixels or limits.max_edge:
        parts.append(f"at most {limits.describe_size_limit()}")
    mask = f"mask: {format_name(limits.mask_format)}"
    if limits.mask_max_bytes:
        mask += f" up to {describe_bytes(limits.mask_max_bytes)}"
    return "; ".join([", ".join(parts), mask]) if caps.mask else ", ".join(parts)


def _sources_lines(d: Mapping[str, Any], bullet: str, code: str = "") -> list[str]:
    lines = []
    for group, sources in d["sources"].items():
        for src in sources:
            flag = ", unverified" if not src["verified"] else ""
            note = f": {src['note']}" if src["note"] else ""
            lines.append(f"{bullet}{code}{group}{code} - {src['where']} ({src['kind']}, checked {src['checked']}"
                         f"{flag}){note}")
    if d["unsourced"]:
        lines.append(f"{bullet}no source recorded for: {', '.join(d['unsourced'])}")
    return lines


def _scope_lines(d: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) lines for seed ranges, required options and options of one operation, when declared."""
    out = []
    if d["seed_range"] is not None:
        out.append(("Seed range", f"{d['seed_range'][0]} to {d['seed_range'][1]}"))
    out.extend(("Required option", f"{name} (for {', '.join(ops)})") for name, ops in d["required_options"].items())
    out.extend(("One operation only", f"{name} (for {', '.join(ops)})")
               for name, ops in d["operation_options"].items())
    return out


def model_details_text(info: ModelInfo, day: dt.date | None = None) -> str:
    """One model in full, for a terminal."""
    d = model_details(info, day)
    lines = [info.model, "=" * len(info.model), f"Lifecycle: {d['lifecycle']['summary']}"]
    width = max(len(label) for _, label in _DETAIL_LABELS) + 1
    for key, label in _DETAIL_LABELS:
        lines.append(f"{label + ':':<{width}} {_detail(d, key)}")
    lines.append(f"{'Input images:':<{width}} {_inputs_text(info.capabilities)}")
    lines.append(f"{'Defaults:':<{width}} {_detail_value(d['defaults'])}")
    options = d["provider_options"]
    lines.append(f"{'Provider options:':<{width}} "
                 + (", ".join(f"{k} ({v})" for k, v in options.items()) if options else "-"))
    for rule in d["rules"]:
        lines.append(f"{'Rule:':<{width}} {rule}")
    lines.extend(f"{label + ':':<{width}} {text}" for label, text in _scope_lines(d))
    lines.append(f"{'Price:':<{width}} {price_text(info.capabilities)}")
    lines.append(f"{'Try-on:':<{width}} {try_on_text(info.capabilities)}")
    life = d["lifecycle"]
    lines.append(f"{'Deprecated on:':<{width}} {life['deprecated_on'] or '-'}")
    lines.append(f"{'Shutdown on:':<{width}} {life['shutdown_on'] or '-'}")
    lines.append(f"{'Successors:':<{width}} {', '.join(life['successors']) or '-'}")
    lines.append("Sources:")
    lines.extend(_sources_lines(d, "  ") or ["  none recorded"])
    return "\n".join(lines) + "\n"


def price_text(caps: Capabilities) -> str:
    """The declared price in words, with its source and date (or why there is none)."""
    price = caps.price
    if price is None:
        return "unknown (no published price declared): estimates are None, never 0"
    text = price.describe() + f" (checked {price.checked}; sources: {price.source_text(notes=False)})"
    if not price.upper_bound:
        text += f"; approximate: {price.approximation}"
    return text


# --------------------------------------------------------------------------- the generated document


def bundled_router(modules: Sequence[str] = BUNDLED_PLUGINS) -> tuple[Router, list[str]]:
    """A router over the bundled plugins only (whatever else is installed), and those missing."""
    router = Router(plugins=False)
    missing = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            missing.append(name)
            continue

        def register(generator: Any, aliases: Iterable[str] = (), _plugin: str = name.removeprefix("tryon_"),
                     **_: Any) -> None:
            router.register(generator, aliases=aliases, plugin=_plugin)  # named as its entry point

        module.register_generators(register=register)
    return router, missing


def render_document(router: Router, comparison: Sequence[str] = DEFAULT_COMPARISON) -> str:
    """The text of ``docs/capabilities.md`` for the models of *router*."""
    infos = router.models()
    compared = [router.info(m) for m in comparison if m in router]
    parts = [
        "# Model capabilities\n",
        "<!-- Generated by `python -m tryon.capability_table --write docs/capabilities.md` from the "
        "plugins' declarations; do not edit by hand. -->\n",
        "Every value below is read from the `Capabilities` each plugin declares; the router refuses "
        "a request a model cannot honour before anything is sent. Query the same data with "
        "`tryon models` or `tryon.models(supports=...)`.\n",
        "## All models\n",
        "The status column is the declared one; the router reads the lifecycle dates against "
        "today's date (`tryon models --retiring 90d` lists what goes away soon).\n",
        markdown_table(infos),
    ]
    dated = [i for i in infos if i.capabilities.lifecycle != Lifecycle()]
    if dated:
        parts += ["## Lifecycle\n", _md_table(
            ["Model", "Declared status", "Deprecated on", "Shutdown on", "Successors", "Note"],
            ([i.model, i.capabilities.lifecycle.status, _iso(i.capabilities.lifecycle.deprecated_on) or "—",
              _iso(i.capabilities.lifecycle.shutdown_on) or "—",
              ", ".join(i.capabilities.lifecycle.successors) or "—", i.capabilities.lifecycle.note or "—"]
             for i in sorted(dated, key=lambda i: (_iso(i.capabilities.lifecycle.shutdown_on) or "9999", i.model))))]
    if compared:
        parts += ["## Comparison (the seed documentation's table, from the declarations)\n",
                  comparison_markdown(compared)]
    parts.append("## Models in detail\n")
    for info in infos:
        parts.append(_detail_markdown(info))
    return "\n".join(parts)


def _detail_markdown(info: ModelInfo) -> str:
    d = model_details(info)
    lines = [f"### {info.model}\n", f"Lifecycle: {_declared_lifecycle(info.capabilities.lifecycle, info.model)}.\n"]
    for key, label in _DETAIL_LABELS:
        lines.append(f"- **{label}:** {_detail(d, key)}")
    lines.append(f"- **Input images:** {_inputs_text(info.capabilities)}")
    lines.append(f"- **Defaults:** {_detail_value(d['defaults'])}")
    options = d["provider_options"]
    lines.append("- **Provider options:** " + (", ".join(f"`{k}`" for k in options) if options else "-"))
    lines.extend(f"- **Rule:** {rule}" for rule in d["rules"])
    lines.extend(f"- **{label}:** {text}" for label, text in _scope_lines(d))
    lines.append(f"- **Price:** {price_text(info.capabilities)}")
    if info.capabilities.try_on is not None:
        lines.append(f"- **Try-on:** {try_on_text(info.capabilities)} ([try-on](try-on.md))")
    lines.append("\nSources:\n")
    lines.extend(_sources_lines(d, "- ", "`") or ["- none recorded"])
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print, write or check the generated capabilities document."""
    parser = argparse.ArgumentParser(
        prog="python -m tryon.capability_table",
        description="Render docs/capabilities.md from the plugins' declarations.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="PATH", help="write the document to PATH")
    group.add_argument("--check", metavar="PATH", help="exit 1 when PATH differs from the generated document")
    args = parser.parse_args(argv)
    router, missing = bundled_router()
    for name in missing:
        print(f"warning: bundled plugin {name} is not importable; its models are left out", file=sys.stderr)
    text = render_document(router)
    if args.write:
        path = Path(args.write)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
        return 0
    if args.check:
        path = Path(args.check)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"{path} is stale: run python -m tryon.capability_table --write {path}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
