"""The router's try-on checks: what a try-on model cannot honour, found before any call.

Each is a :class:`~tryon.checks.Finding` like the checks of generation and edits (so refusals
name the models that can, and lenient mode drops what it can): garments per call, each
garment's category, the prompt policy, the mask mode, ``mode``, ``garment_photo_type``,
``prompt_template``, and for a composition model the rendered edit (its prompt length and
number of input images) against the model's edit limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tryon.checks import Finding, _drop
from tryon.notice import Notice

if TYPE_CHECKING:
    from tryon.capabilities import Capabilities
    from tryon.request import Request, TryOnRequest

__all__ = ["find_try_on_problems", "mask_mode"]


def mask_mode(request: TryOnRequest) -> str:
    """The mask mode *request* asks for: ``image`` (a mask), ``prompt`` (mask_prompt) or ``auto``."""
    if request.mask is not None:
        return "image"
    return "prompt" if request.mask_prompt else "auto"


def _listed(values: object) -> str:
    items = list(values)  # type: ignore[call-overload]
    return ", ".join(map(str, items)) if items else "none"


def _drop_prompt(request: Request, caps: Capabilities) -> tuple[Request, Notice]:
    return request.replace(prompt=None), Notice(
        "option-dropped", "prompt dropped: the model takes no prompt for try-on", option="prompt",
        original="<prompt>", applied=None)


def _takes(category: str | None) -> Callable[[Capabilities], bool]:
    return lambda c: c.try_on is not None and c.try_on.takes_category(category)


def _masks(mode: str) -> Callable[[Capabilities], bool]:
    return lambda c: c.try_on is not None and mode in c.try_on.mask_modes


def find_try_on_problems(req: TryOnRequest, caps: Capabilities) -> list[Finding]:
    """Every try-on option of *req* a model with *caps* cannot honour (empty = fits)."""
    t = caps.try_on
    if t is None:
        return []  # not a try-on model: the operation check says so
    out: list[Finding] = []
    count = len(req.garments)
    if count > t.max_garments:
        out.append(Finding("garments", f"<{count} garments>",
                           f"takes at most {t.max_garments} garment{'s' if t.max_garments != 1 else ''} per try-on "
                           f"(got {count})",
                           lambda c: c.try_on is not None and count <= c.try_on.max_garments))
    seen: set[str | None] = set()
    for number, garment in enumerate(req.garments, start=1):
        category = garment.category
        if category in seen or t.takes_category(category):
            continue
        seen.add(category)
        accepted = _listed(t.accepted_categories())
        if category is None:
            reason = (f"needs a category for every garment (garment {number} has none); pass category=... "
                      f"(accepted: {accepted})")
        else:
            reason = f"does not take garments of category {category!r} (accepted: {accepted})"
        out.append(Finding("category", category, reason, _takes(category)))
    if req.prompt and not t.prompt_allowed:
        out.append(Finding("prompt", "<prompt>", "takes no text prompt for try-on (the images say what to put on)",
                           lambda c: c.try_on is not None and c.try_on.prompt_allowed, _drop_prompt))
    elif not req.prompt and t.prompt_required:
        out.append(Finding("prompt", None, "needs a prompt for try-on (prompt=...)",
                           lambda c: c.try_on is not None and not c.try_on.prompt_required))
    wanted = mask_mode(req)
    if wanted not in t.mask_modes:
        modes = _listed(sorted(t.mask_modes))
        if wanted == "auto":
            out.append(Finding("mask", None, f"needs a mask for try-on: pass mask=... (black = change) or "
                                             f"mask_prompt=... (mask modes: {modes})",
                               lambda c: c.try_on is not None and "auto" in c.try_on.mask_modes))
        else:
            option = "mask" if wanted == "image" else "mask_prompt"
            fix = _drop(option, "the model finds the garment area itself") if "auto" in t.mask_modes else None
            instead = [alt for mode, alt in (("image", "mask=... (an image, black = change)"),
                                             ("prompt", "mask_prompt=... (the area in words)"),
                                             ("auto", f"leave {option} unset (the model finds the area)"))
                       if mode in t.mask_modes and mode != wanted]
            out.append(Finding(option, f"<{option}>", f"does not take {option} for try-on (mask modes: {modes}); "
                                                      f"use {' or '.join(instead)}", _masks(wanted), fix))
    if req.mode is not None and req.mode not in t.modes:
        mode = req.mode
        out.append(Finding("mode", mode, f"does not support mode={mode!r} (accepted: {_listed(t.modes)})",
                           lambda c: c.try_on is not None and mode in c.try_on.modes,
                           _drop("mode", f"the model has no {mode!r} mode")))
    if req.garment_photo_type is not None and req.garment_photo_type not in t.photo_types:
        kind = req.garment_photo_type
        out.append(Finding("garment_photo_type", kind,
                           f"does not support garment_photo_type={kind!r} (accepted: {_listed(t.photo_types)})",
                           lambda c: c.try_on is not None and kind in c.try_on.photo_types,
                           _drop("garment_photo_type", "the model does not take it")))
    if req.prompt_template is not None and t.composition is None:
        out.append(Finding("prompt_template", "<template>",
                           "is a dedicated try-on model: it takes no prompt template (composition models do)",
                           lambda c: c.try_on is not None and c.try_on.composition is not None,
                           _drop("prompt_template", "a dedicated try-on model has no prompt template")))
    if t.composition is not None:
        if req.prompt and req.prompt_template is None and not _uses_prompt(t.composition.template):
            out.append(Finding("prompt", "<prompt>", "has a try-on template without {prompt}, so prompt= would be "
                                                     "dropped: pass prompt_template=... with {prompt}, or no prompt",
                               lambda c: c.try_on is not None and c.try_on.prompt_allowed
                               and (c.try_on.composition is None or _uses_prompt(c.try_on.composition.template))))
        reported = {f.option for f in out}
        out.extend(f for f in _composed_problems(req, caps) if f.option not in reported)
    return out


def _takes_prompt(fits: Callable[[Capabilities], bool]) -> Callable[[Capabilities], bool]:
    """*fits*, for models whose try-on prompt policy takes a prompt."""
    return lambda c: c.try_on is not None and c.try_on.prompt_allowed and fits(c)


def _uses_prompt(template: str) -> bool:
    import string

    return any(field == "prompt" for _, field, _, _ in string.Formatter().parse(template))


def _composed_problems(req: TryOnRequest, caps: Capabilities) -> list[Finding]:
    """The rendered edit's prompt and inputs against the model's edit limits."""
    from tryon.checks import find_problems
    from tryon.vto.composition import as_edit

    assert caps.try_on is not None
    edit = as_edit(req, caps.try_on)
    out = []
    for finding in find_problems(edit, caps):
        if finding.option == "prompt":
            out.append(Finding("prompt", finding.value, f"{finding.reason} once the try-on prompt is rendered; "
                                                        "shorten prompt= or prompt_template=",
                               _takes_prompt(finding.accepts)))
        elif finding.option == "images":
            out.append(Finding("garments", f"<{len(req.garments)} garments>",
                               f"{finding.reason}: the person and each garment are edit inputs", finding.accepts))
    return out


