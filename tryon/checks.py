"""Check a request against a model's capabilities, without any I/O.

Each check returns a :class:`Finding`: the option, why this model refuses it, a predicate
telling which models would accept it (so errors can name them), and — where one exists — a
lenient fix that adapts the request and records a :class:`~tryon.notice.Notice`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from tryon.capabilities import Capabilities, Operation, Rule
from tryon.notice import Notice
from tryon.request import EditRequest, GenerateRequest, Request, TryOnRequest
from tryon.secrets import is_secret_name
from tryon.sizes import parse_size

__all__ = ["Finding", "adapt", "advise", "find_problems", "is_secret_name", "option_getter", "ratio_only",
           "rule_getter", "shown"]

Fix = Callable[[Request, Capabilities], tuple[Request, Notice]]
_FORMAT_PREFERENCE = ("png", "webp", "jpeg")


@attrs.frozen
class Finding:
    """One option a model cannot honour."""

    option: str
    value: Any
    reason: str
    accepts: Callable[[Capabilities], bool] = attrs.field(eq=False)
    fix: Fix | None = attrs.field(default=None, eq=False)


def _set(request: Request, option: str, value: Any) -> Request:
    if option in request.field_names():
        return request.replace(**{option: value})
    opts = dict(request.options) if isinstance(request.options, Mapping) else request.provider_options_dict()
    name = option.removeprefix("options.")
    if value is None:
        opts.pop(name, None)
    else:
        opts[name] = value
    return request.replace(options=opts)




def shown(option: str, value: Any) -> str:
    """How a value appears in messages: credentials masked, long values (bytes, images) summarised."""
    if is_secret_name(option):
        return "'***'"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value):,} bytes>"
    text = repr(value)
    return text if len(text) <= 80 else f"<{type(value).__name__}>"


def _original(option: str, value: Any) -> Any:
    return "***" if is_secret_name(option) else value


def _drop(option: str, why: str) -> Fix:
    def fix(request: Request, caps: Capabilities) -> tuple[Request, Notice]:
        old = request.get(option)
        return _set(request, option, None), Notice(
            "option-dropped", f"{option}={shown(option, old)} dropped: {why}", option=option,
            original=_original(option, old), applied=None)

    return fix


def _replace(option: str, choose: Callable[[Request, Capabilities], Any], code: str = "option-adjusted") -> Fix:
    def fix(request: Request, caps: Capabilities) -> tuple[Request, Notice]:
        old = request.get(option)
        new = choose(request, caps)
        return _set(request, option, new), Notice(
            code, f"{option}={shown(option, old)} changed to {new!r}", option=option,
            original=_original(option, old), applied=new)

    return fix


def _describe(values: frozenset[str]) -> str:
    return ", ".join(sorted(values)) if values else "none"


def _preferred_format(allowed: frozenset[Any]) -> Any:
    for fmt in _FORMAT_PREFERENCE:
        if fmt in allowed:
            return fmt
    return sorted(allowed)[0]


# --------------------------------------------------------------------------- individual checks


def _check_operation(req: Request, caps: Capabilities) -> Finding | None:
    op = req.operation
    if op in caps.operations:
        return None
    what = {Operation.EDIT: "image editing", Operation.TRY_ON: "virtual try-on"}.get(op, "text-to-image generation")
    return Finding("operation", op.value, f"does not support {what}", lambda c: op in c.operations)


def _check_prompt(req: Request, caps: Capabilities) -> Finding | None:
    limit = caps.max_prompt_length
    length = len(req.prompt)
    if limit is None or length <= limit:
        return None
    try_on = req.operation is Operation.TRY_ON  # a try-on prompt only fits a model whose policy takes one
    return Finding("prompt", f"<{length:,} characters>",
                   f"accepts prompts of at most {limit:,} characters (this one has {length:,})",
                   lambda c: (c.max_prompt_length is None or length <= c.max_prompt_length)
                   and (not try_on or (c.try_on is not None and c.try_on.prompt_allowed)))


def _check_size(req: Request, caps: Capabilities) -> Finding | None:
    size = req.size
    if size is None:
        return None
    fmt = req.output_format
    sizes = caps.sizes_for(fmt)
    why = sizes.check(size)
    if why is None:
        return None
    if (sizes.aspect_ratios or sizes.ratio_range) and sizes.nearest_ratio(size):
        def to_ratio(request: Request, c: Capabilities) -> tuple[Request, Notice]:
            ratio = c.sizes.nearest_ratio(size)
            return request.replace(size=None, aspect_ratio=ratio), Notice(
                "size-adjusted", f"size={size!r} is not an exact aspect ratio; using aspect_ratio={ratio!r}",
                option="size", original=size, applied=ratio)
        fix: Fix | None = to_ratio
    elif sizes.nearest(size):
        fix = _replace("size", lambda r, c: c.sizes_for(fmt).nearest(size), code="size-adjusted")
    else:
        fix = _drop("size", "the model does not take a size")
    if "accepted" not in why:
        why += f"; accepted: {sizes.describe()}"
    if fmt in caps.format_sizes:
        why += f" for output_format={fmt!r}"
    return Finding("size", size, f"does not support size={size!r} ({why})",
                   lambda c: c.sizes_for(fmt).accepts(size), fix)


def ratio_only(caps: Capabilities) -> bool:
    """Whether *caps* takes sizes only as aspect ratios (see :attr:`Capabilities.ratio_only`)."""
    return caps.ratio_only


def _size_ratio(req: Request, caps: Capabilities) -> str | None:
    """The aspect ratio a ratio-only model makes of the request's ``size`` (``None``: no size)."""
    if req.size is None or req.size == "auto" or not ratio_only(caps):
        return None
    return caps.sizes.nearest_ratio(req.size)


def _allowed_in(caps: Capabilities, option: str, op: Operation) -> bool:
    return caps.allows_option(option, op)


def _operation_options(caps: Capabilities) -> dict[str, frozenset[Operation]]:
    """``operation_options`` with a ratio-only model's ``size`` following its ``aspect_ratio`` (and back)."""
    declared = dict(caps.operation_options)
    if ratio_only(caps):
        for a, b in (("aspect_ratio", "size"), ("size", "aspect_ratio")):
            if a in declared:
                declared[b] = declared[a] & declared.get(b, declared[a])
    return declared


def _field(req: Request, caps: Capabilities, option: str) -> str:
    """The request field that carries *option*: ``size`` for an aspect ratio given as a size."""
    if option == "aspect_ratio" and req.aspect_ratio is None and _size_ratio(req, caps) is not None:
        return "size"
    return option


def _given(req: Request, caps: Capabilities, option: str) -> Any:
    """What *req* sets for *option*; on a ratio-only model a ``size`` counts as its ``aspect_ratio``."""
    value = req.get(option)
    if value is None and option == "aspect_ratio":
        return _size_ratio(req, caps)
    return value


def _default(req: Request, caps: Capabilities, option: str) -> Any:
    """The declared default the provider applies to an unset *option* — none for an option not
    valid in the request's operation (the provider applies nothing there)."""
    if not _allowed_in(caps, option, req.operation):
        return None
    return caps.defaults.get(option.removeprefix("options."))


def option_getter(req: Request, caps: Capabilities) -> Callable[[str], Any]:
    """Option values of *req* (a size read as the aspect ratio of a ratio-only model), unset ones
    read from the model's declared defaults where the option is valid in the request's operation."""
    def get(option: str) -> Any:
        value = _given(req, caps, option)
        return _default(req, caps, option) if value is None else value
    return get


def rule_getter(rule: Rule, req: Request, caps: Capabilities) -> Callable[[str], Any]:
    """Option values as *rule* reads them: what the request sets (a size read as the aspect ratio of
    a ratio-only model). Only the option a ``requires`` rule constrains falls back to its declared
    default, and only where the option is valid in the request's operation (the provider applies
    it, so "transparent needs png" must see a jpeg default); a trigger or a must-not-be-set option
    never does, so declaring a provider's true default cannot make a rule refuse requests that
    leave it unset."""
    def get(option: str) -> Any:
        value = _given(req, caps, option)
        if value is None and option == rule.then and rule.allowed is not None:
            return _default(req, caps, option)
        return value
    return get


def _check_budgets(req: Request, caps: Capabilities) -> Finding | None:
    wh = parse_size(req.size) if req.size else None
    if wh is None or not caps.budgets:
        return None
    get = option_getter(req, caps)
    for budget in caps.budgets:
        why = budget.violation(*wh, get)
        if why is None:
            continue

        def accepts(c: Capabilities) -> bool:
            g = option_getter(req, c)
            fmt = req.output_format
            return (fmt is None or fmt in c.output_formats) and c.sizes_for(fmt).accepts(req.size or "auto") and all(
                b.violation(*wh, g) is None for b in c.budgets)
        factor = budget.factor.removeprefix("options.")
        used = get(budget.factor) or budget.factor_default
        return Finding("size", req.size, f"cannot make size={req.size!r} with {factor}={used}: {why}", accepts)
    return None


def advise(request: Request, caps: Capabilities) -> list[Notice]:
    """Notices for an accepted request: what the provider calls preview, experimental or adjusted."""
    out: list[Notice] = []
    if request.size is not None:
        note = caps.sizes_for(request.output_format).advisory(request.size)
        if note is not None:
            out.append(Notice("size-experimental", note, option="size", original=request.size,
                              applied=request.size))
    get = option_getter(request, caps)
    for advisory in caps.advisories:
        if advisory.applies(get):
            option = advisory.when.removeprefix("options.")
            out.append(Notice(advisory.code, advisory.message, option=option,
                              original=_original(option, get(advisory.when))))
    return out


def _check_aspect_ratio(req: Request, caps: Capabilities) -> Finding | None:
    ratio = req.aspect_ratio
    if ratio is None or ratio in caps.aspect_ratios or caps.sizes.accepts_ratio(ratio):
        return None
    if caps.sizes.ratio_range is not None:
        reason = f"does not support aspect_ratio={ratio!r} (accepted: {caps.sizes.ratio_range.describe()})"
        fix = _replace("aspect_ratio", lambda r, c: c.sizes.nearest_ratio(ratio.replace(":", "x")))
    elif not caps.aspect_ratios:
        reason = "does not support aspect_ratio (use size)"
        fix = _drop("aspect_ratio", "the model takes a size, not an aspect ratio")
    else:
        reason = f"does not support aspect_ratio={ratio!r} (accepted: {_describe(caps.aspect_ratios)})"
        fix = _drop("aspect_ratio", "not an accepted aspect ratio")
    return Finding("aspect_ratio", ratio, reason,
                   lambda c: ratio in c.aspect_ratios or c.sizes.accepts_ratio(ratio), fix)


def _enum_check(option: str, domain: Callable[[Capabilities], frozenset[str]]) -> Callable[
        [Request, Capabilities], Finding | None]:
    def check(req: Request, caps: Capabilities) -> Finding | None:
        value = req.get(option)
        if value is None:
            return None
        allowed = domain(caps)
        if value in allowed:
            return None
        if allowed:
            reason = f"does not support {option}={value!r} (accepted: {_describe(allowed)})"
        else:
            reason = f"does not support {option}"
        return Finding(option, value, reason, lambda c: value in domain(c),
                       _drop(option, f"the model does not accept {option}={shown(option, value)}"))
    return check


def _check_output_format(req: Request, caps: Capabilities) -> Finding | None:
    value = req.output_format
    if value is None or value in caps.output_formats:
        return None
    if not caps.output_formats:  # no format field: the file type is the model's own
        return Finding("output_format", value, "takes no output_format (the file type is the model's own); "
                                               "leave output_format unset",
                       lambda c: value in c.output_formats,
                       _drop("output_format", "the model has no output format option"))
    return Finding("output_format", value,
                   f"does not support output_format={value!r} (accepted: {_describe(caps.output_formats)})",
                   lambda c: value in c.output_formats,
                   _replace("output_format", lambda r, c: _preferred_format(c.output_formats)))


def _check_background(req: Request, caps: Capabilities) -> Finding | None:
    if req.background != "transparent" or caps.transparent_background:
        return None
    return Finding("background", "transparent", "does not support background='transparent'",
                   lambda c: c.transparent_background,
                   _drop("background", "the model cannot make transparent backgrounds"))


def _check_n(req: Request, caps: Capabilities) -> Finding | None:
    n, limit = req.n, caps.max_n
    if limit is None or n <= limit:
        return None
    return Finding("n", n, f"makes at most {limit} images per request (n={n})",
                   lambda c: c.max_n is None or n <= c.max_n,
                   _replace("n", lambda r, c: c.max_n, code="n-adjusted"))


def _flag_check(option: str, flag: Callable[[Capabilities], bool]) -> Callable[
        [Request, Capabilities], Finding | None]:
    def check(req: Request, caps: Capabilities) -> Finding | None:
        value = req.get(option)
        if value is None or flag(caps):
            return None
        return Finding(option, value, f"does not support {option}", flag,
                       _drop(option, f"the model does not support {option}"))
    return check


def _check_seed(req: Request, caps: Capabilities) -> Finding | None:
    seed = req.seed
    if seed is not None and caps.accepts_seed(seed) and caps.seed_range is not None:
        low, high = caps.seed_range
        calls = _calls(req, caps)
        if calls > high - low + 1:  # fan-out would have to repeat a seed
            return Finding("seed", seed, f"takes only {high - low + 1} seeds ({low} to {high}), fewer than the "
                           f"{calls} calls n={req.n} needs, so calls would repeat images",
                           lambda c: c.accepts_seed(seed) and (
                               c.seed_range is None or _calls(req, c) <= c.seed_range[1] - c.seed_range[0] + 1))
    if seed is None or caps.accepts_seed(seed):
        return None
    if not caps.seed:
        return Finding("seed", seed, "does not support seed", lambda c: c.seed,
                       _drop("seed", "the model does not support seed"))
    assert caps.seed_range is not None
    low, high = caps.seed_range
    return Finding("seed", seed, f"takes seeds from {low} to {high} (got {seed})",
                   lambda c: c.accepts_seed(seed),
                   _replace("seed", lambda r, c: _wrapped(seed, c), code="seed-adjusted"))


def _calls(req: Request, caps: Capabilities) -> int:
    return -(-req.n // caps.max_images_per_call)


def _wrapped(seed: int, caps: Capabilities) -> int | None:
    if caps.seed_range is None:
        return seed
    low, high = caps.seed_range
    return low + (seed - low) % (high - low + 1)


def _check_operation_options(req: Request, caps: Capabilities) -> list[Finding]:
    out = []
    op = req.operation
    for name, ops in _operation_options(caps).items():
        value = req.get(name)
        if value is None or op in ops:
            continue
        bare = name.removeprefix("options.")
        only = " and ".join(sorted(o.value for o in ops))
        why = f"takes {bare} for {only} only, not for {op.value} requests"
        if bare == "size" and ratio_only(caps):
            why += " (its sizes are aspect ratios, and aspect_ratio is " + only + "-only)"
        out.append(Finding(bare, _original(bare, value), why, _allows(name, op),
                           _drop(name, f"{bare} applies to {only} only")))
    return out


def _allows(name: str, op: Operation) -> Callable[[Capabilities], bool]:
    """Models that take *name* in *op* requests: a provider option only where it is a field of the
    model's ``provider_options``."""
    bare = name.removeprefix("options.")
    provider = name.startswith("options.") or bare not in (GenerateRequest.field_names() | EditRequest.field_names())

    def accepts(c: Capabilities) -> bool:
        if op not in c.operations or not _allowed_in(c, name, op):
            return False
        return bare in c.option_names() if provider else True
    return accepts


def _not_required(name: str, op: Operation) -> Callable[[Capabilities], bool]:
    return lambda c: op in c.operations and name not in c.required_for(op)


def _check_required_options(req: Request, caps: Capabilities) -> list[Finding]:
    out = []
    op = req.operation
    for name in caps.required_for(op):
        if _given(req, caps, name) is not None:  # a ratio-only model's size gives its aspect_ratio
            continue
        bare = name.removeprefix("options.")
        how = (f"options={{{bare!r}: ...}}" if name.startswith("options.") or bare not in req.field_names()
               else f"{bare}=...")
        what = {Operation.EDIT: "edits", Operation.GENERATE: "text-to-image requests"}.get(op, f"{op.value} requests")
        out.append(Finding(bare, None, f"needs option {bare} for {what}; pass {how}",
                           _not_required(name, op)))
    return out


def _check_partial_images(req: Request, caps: Capabilities) -> Finding | None:
    value = req.partial_images
    if value is None or value <= caps.max_partial_images:
        return None
    if not caps.streaming:
        return Finding("partial_images", value, "does not support streaming partial images",
                       lambda c: value <= c.max_partial_images, _drop("partial_images", "no streaming"))
    return Finding("partial_images", value,
                   f"streams at most {caps.max_partial_images} partial images (asked for {value})",
                   lambda c: value <= c.max_partial_images,
                   _replace("partial_images", lambda r, c: c.max_partial_images))


def _check_images(req: Request, caps: Capabilities) -> Finding | None:
    if not isinstance(req, EditRequest) or not caps.can_edit:
        return None
    count, limit = len(req.images), caps.max_input_images
    if count <= limit:
        return None
    return Finding("images", f"<{count} images>",
                   f"accepts at most {limit} input image{'s' if limit != 1 else ''} (got {count})",
                   lambda c: c.can_edit and count <= c.max_input_images)


def _check_mask(req: Request, caps: Capabilities) -> Finding | None:
    if isinstance(req, EditRequest) and req.mask is None and caps.mask_required and caps.can_edit:
        return Finding("mask", None, "needs a mask for every edit (black or transparent = the area to change); "
                                     "pass mask=...", lambda c: c.can_edit and not c.mask_required)
    if not isinstance(req, EditRequest) or req.mask is None or caps.mask:
        return None
    return Finding("mask", "<mask>", "does not support mask", lambda c: c.mask,
                   _drop("mask", "the model cannot edit within a mask; the prompt alone guides the edit"))


def _check_input_fidelity(req: Request, caps: Capabilities) -> Finding | None:
    if not isinstance(req, (EditRequest, TryOnRequest)) or req.input_fidelity is None:
        return None
    value, allowed = req.input_fidelity, caps.input_fidelity
    if value in allowed:
        return None
    if allowed:
        fix = _replace("input_fidelity", lambda r, c: sorted(c.input_fidelity)[0])
        reason = f"does not support input_fidelity={value!r} (accepted: {_describe(allowed)})"
    else:
        fix = _drop("input_fidelity", "the model has no input fidelity control")
        reason = "does not support input_fidelity"
    return Finding("input_fidelity", value, reason, lambda c: value in c.input_fidelity, fix)


def _check_provider_options(req: Request, caps: Capabilities) -> list[Finding]:
    if not isinstance(req.options, Mapping):
        return []
    known = set(caps.option_names())
    out = []
    for name, value in req.options.items():
        if name in known:
            continue
        if is_secret_name(name):
            hint = (" (credentials are provider settings, not request options: "
                    "Router(settings={provider: {'api_key': ...}}) or router.configure(provider, api_key=...))")
        else:
            hint = _did_you_mean(name, known | (set(req.field_names()) - {"prompt", "images", "options"}))
            if known:
                hint += f" (its options: {', '.join(sorted(known))})"
        out.append(Finding(name, _original(name, value), f"does not support option {name!r}{hint}",
                           _has_option(name),
                           _drop(name, "not an option of this model")))
    return out


def _did_you_mean(name: str, candidates: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _has_option(name: str) -> Callable[[Capabilities], bool]:
    return lambda c: name in c.option_names()


def _rule_finding(rule: Rule, req: Request, caps: Capabilities) -> Finding | None:
    get = rule_getter(rule, req, caps)
    if rule.allowed is not None and get(rule.then) is None and not caps.allows_option(rule.then, req.operation):
        return None  # what it constrains does not exist in this operation (an edit keeps the input's ratio)
    if not rule.violated(get):
        return None
    then_value = get(rule.then)

    involved = {rule.when.removeprefix("options."), rule.then.removeprefix("options.")}

    def accepts(c: Capabilities) -> bool:
        # a model supports the combination when nothing about either option is a problem for it
        return not any(f.option in involved for f in find_problems(req, c))

    fix: Fix
    if rule.allowed is None:
        fix = _drop(_field(req, caps, rule.then), rule.message)
    elif rule.then == "output_format":
        allowed = rule.allowed
        fix = _replace(rule.then, lambda r, c: _preferred_format(allowed & c.output_formats or allowed))
    else:
        fix = _drop(_field(req, caps, rule.when), rule.message)
    option = rule.when.removeprefix("options.")
    then = rule.then.removeprefix("options.")
    return Finding(option, _original(option, get(rule.when)),
                   f"cannot combine {option}={shown(option, get(rule.when))} with "
                   f"{then}={shown(then, then_value)}: {rule.message}", accepts, fix)


_CHECKS: tuple[Callable[[Request, Capabilities], Finding | None], ...] = (
    _check_operation,
    _check_prompt,
    _check_size,
    _check_aspect_ratio,
    _enum_check("quality", lambda c: c.qualities),
    _check_background,
    _check_n,
    _check_output_format,
    _flag_check("output_compression", lambda c: c.output_compression),
    _enum_check("moderation", lambda c: c.moderation),
    _check_seed,
    _check_partial_images,
    _check_images,
    _check_mask,
    _check_input_fidelity,
)


def find_problems(request: Request, caps: Capabilities) -> list[Finding]:
    """Every option of *request* that a model with *caps* cannot honour (empty = fits)."""
    out = [f for check in _CHECKS if (f := check(request, caps)) is not None]
    if not any(f.option in ("size", "output_format") for f in out) and (
            budget := _check_budgets(request, caps)) is not None:
        out.append(budget)
    if isinstance(request, TryOnRequest):
        from tryon.vto.checks import find_try_on_problems

        common = {f.option for f in out}
        out.extend(f for f in find_try_on_problems(request, caps) if f.option not in common)
    out.extend(_check_provider_options(request, caps))
    out.extend(_check_operation_options(request, caps))
    out.extend(_check_required_options(request, caps))
    flagged = {f.option for f in out}
    for rule in caps.rules:
        if {rule.when.removeprefix("options."), rule.then.removeprefix("options.")} & flagged:
            continue  # already reported: the rule would only repeat it
        if (finding := _rule_finding(rule, request, caps)) is not None:
            out.append(finding)
    return out


def adapt(request: Request, caps: Capabilities) -> tuple[Request, list[Notice], list[Finding]]:
    """Lenient mode: fix what can be fixed; returns the new request, the notices, and what remains."""
    notices: list[Notice] = []
    for _ in range(6):
        findings = find_problems(request, caps)
        fixable = [f for f in findings if f.fix is not None]
        if not fixable:
            return request, notices, findings
        for finding in fixable:
            assert finding.fix is not None
            request, notice = finding.fix(request, caps)
            notices.append(notice)
    return request, notices, find_problems(request, caps)
