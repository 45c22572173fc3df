"""The router: model names to generators, requests checked before any network call.

Every request is validated against the model's declared capabilities first; an option the
model cannot honour raises :class:`~tryon.errors.UnsupportedOptionError` naming the option,
the value, the model and the registered models that do support it — all problems at once.
``strict=False`` adapts instead and records each change as a notice on the result.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import sys
import threading
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

from tryon import fanout, lifecycle, pricing
from tryon.capabilities import FEATURES, Capabilities, Operation, feature_test
from tryon.checks import Finding, adapt, advise, find_problems, option_getter, shown
from tryon.copying import replace
from tryon.errors import (
    BudgetExceededError,
    InvalidInputError,
    InvalidOptionError,
    MissingCredentialsError,
    ModelRetiredError,
    NoModelAvailableError,
    NoModelFitsError,
    PartialResultError,
    PluginError,
    Problem,
    ProviderError,
    UnknownModelError,
    UnsupportedOptionError,
    ValidationError,
)
from tryon.notice import Notice
from tryon.protocol import ImageGenerator
from tryon.request import EditRequest, GenerateRequest, Request, TryOnRequest
from tryon.results import Estimate, Generation, LazyInfo, PartialImage, Skip

__all__ = ["DEFAULT_MAX_N", "ModelInfo", "RetiredModelWarning", "Router"]

#: The most images one request may ask for, whatever the model (``Router(max_n=...)`` changes it).
DEFAULT_MAX_N = 100


PartCallback = Callable[[Generation], None]
"""Receives each provider call's result of a fanned-out request as it arrives."""


class RetiredModelWarning(UserWarning):
    """A retired (or deprecated) model was selected; its successors are named (once per model)."""


CORE_SETTINGS = frozenset({"serves_retired"})
"""Provider settings the router itself reads (never passed to the plugin's ``configure``).

``serves_retired``: ``True`` or model ids: the deployment configured for this provider (Azure,
an OpenAI-compatible endpoint, ...) still serves these retired models, so they are sent.
"""


@attrs.frozen
class ModelInfo:
    """A registered model as capability queries report it."""

    model: str
    provider: str
    capabilities: Capabilities = attrs.field(repr=False)
    aliases: tuple[str, ...] = ()
    plugin: str | None = None

    def supports(self, feature: str) -> bool:
        return self.capabilities.supports(feature)

    def features(self) -> list[str]:
        return [name for name in FEATURES if self.capabilities.supports(name)]


@attrs.define
class _Entry:
    generator: ImageGenerator
    aliases: tuple[str, ...]
    plugin: str | None


_warned_lock = threading.Lock()
_warned: set[str] = set()


class Router:
    """Resolves model names to generators and runs requests through them.

    ``Router()`` loads the installed plugins; ``Router(plugins=False)`` starts empty (add
    generators with :meth:`register`). ``settings`` maps a provider name to settings its
    generators accept (``{"openai": {"api_key": ..., "base_url": ...}}``).

    A model past its shutdown date is refused before sending (:class:`ModelRetiredError`)
    unless the deployment still serves it: ``allow_retired=True`` (or a set of model ids or
    provider names) here, ``allow_retired=True`` per call, the provider setting
    ``serves_retired`` or the ``TRYON_SERVES_RETIRED`` environment variable. ``today``
    replaces the lifecycle clock (a function returning a ``datetime.date``; tests use it).
    ``max_n`` caps the images of one request for every model (each model's ``Capabilities.max_n``
    may cap lower); a larger ``n`` is refused before anything is allocated or sent.
    """

    def __init__(self, *, plugins: bool = True, strict: bool = True,
                 settings: Mapping[str, Mapping[str, Any]] | None = None,
                 allow_private_urls: bool | None = None, max_n: int = DEFAULT_MAX_N,
                 allow_retired: bool | str | Iterable[str] = False,
                 today: lifecycle.Clock | None = None) -> None:
        if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 1:
            raise InvalidOptionError([Problem("max_n", max_n, f"max_n={max_n!r} must be a whole number >= 1")])
        self.strict = strict
        self.max_n = max_n
        self.retired_policy = lifecycle.RetiredPolicy(allow_retired)
        self.today: lifecycle.Clock = today or lifecycle.today
        self._entries: dict[str, _Entry] = {}
        self._aliases: dict[str, str] = {}
        self._settings: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (settings or {}).items()}
        self._configured: dict[str, ImageGenerator] = {}
        self._lock = threading.RLock()
        self._fetcher: Any = None
        self._allow_private_urls = allow_private_urls
        if plugins:
            from tryon.plugins import call_hook, load_plugins

            load_plugins()
            call_hook("register_generators", register=self._plugin_register)
            from tryon.declared import register_declared

            register_declared(self)  # models declared in a file (TRYON_MODELS_FILE), after the plugins'
            self._settings = {self.resolve_provider(k, "settings"): v for k, v in self._settings.items()}

    # ------------------------------------------------------------------ registry

    def _plugin_register(self, generator: ImageGenerator, aliases: Iterable[str] = (), **_: Any) -> None:
        from tryon.plugins import calling_plugin

        self.register(generator, aliases=aliases, plugin=calling_plugin())

    def register(self, generator: ImageGenerator, *, aliases: Iterable[str] = (),
                 plugin: str | None = None, replace: bool = False) -> None:
        """Add a generator; its model id, ``provider/model`` and *aliases* resolve to it."""
        _check_generator(generator)
        model = generator.model_id
        names = (*tuple(aliases), *tuple(getattr(generator, "aliases", ()) or ()))
        with self._lock:
            if model in self._entries and not replace:
                existing = self._entries[model].generator.provider
                raise PluginError(f"model {model!r} is already registered by provider {existing!r}")
            self._entries[model] = _Entry(generator, tuple(dict.fromkeys(names)), plugin)
            self._aliases[model.lower()] = model
            self._aliases[f"{generator.provider}/{model}".lower()] = model
            for alias in names:
                self._aliases.setdefault(alias.lower(), model)
                self._aliases.setdefault(f"{generator.provider}/{alias}".lower(), model)
            self._configured.pop(model, None)

    def unregister(self, model: str) -> None:
        with self._lock:
            entry = self._entries.pop(self.resolve_name(model))
            self._aliases = {k: v for k, v in self._aliases.items() if v != entry.generator.model_id}
            self._configured.pop(entry.generator.model_id, None)

    def providers(self) -> list[str]:
        """The names of the providers of the registered models."""
        with self._lock:
            return sorted({e.generator.provider for e in self._entries.values()})

    def resolve_provider(self, name: str, option: str = "provider") -> str:
        """The provider called *name*, or served by the plugin called *name* (``flux`` -> ``bfl``).

        An unknown name is an :class:`~tryon.errors.InvalidOptionError` listing the providers.
        """
        known = self.providers()
        if not known or name in known:
            return name
        with self._lock:
            by_plugin = sorted({e.generator.provider for e in self._entries.values() if e.plugin == name})
        if len(by_plugin) == 1:
            return by_plugin[0]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InvalidOptionError([Problem(option, name, f"no registered provider is called {name!r}; "
                                                        f"{hint}known providers: {', '.join(known)}")])

    def configure(self, provider: str, **settings: Any) -> None:
        """Set provider settings (``api_key``, ``base_url``, ``timeout``, ...) for its generators."""
        provider = self.resolve_provider(provider, "settings")
        with self._lock:
            self._settings.setdefault(provider, {}).update(settings)
            self._configured = {k: v for k, v in self._configured.items() if v.provider != provider}

    def set_allow_private_urls(self, allow: bool) -> None:
        """Allow image URLs on loopback/private addresses (off by default: SSRF protection)."""
        self._allow_private_urls = allow
        self._fetcher = None

    def resolve_name(self, name: str) -> str:
        """The canonical model id for *name* (an id, ``provider/id`` or an alias)."""
        if not isinstance(name, str):
            raise InvalidOptionError([Problem("model", name, f"model must be a model name, not {name!r}; "
                                              "see tryon.models() for the installed ones")])
        if not name.strip():
            raise UnknownModelError(repr(name), known=sorted(self._entries))
        key = name.strip().lower()
        with self._lock:
            if key in self._aliases:
                return self._aliases[key]
            candidates = sorted(set(self._aliases) | set(self._entries))
        bare = key.split("/", 1)[-1]
        close = difflib.get_close_matches(bare, [c for c in candidates if "/" not in c], n=5, cutoff=0.6)
        canonical = list(dict.fromkeys(self._aliases.get(c, c) for c in close))
        raise UnknownModelError(name, close_matches=canonical, known=sorted(self._entries))

    def get(self, name: str) -> ImageGenerator:
        """The generator serving *name*, with this router's provider settings applied."""
        model = self.resolve_name(name)
        with self._lock:
            if model in self._configured:
                return self._configured[model]
            gen = self._entries[model].generator
            settings = {k: v for k, v in self._settings.get(gen.provider, {}).items() if k not in CORE_SETTINGS}
            if settings and hasattr(gen, "configure"):
                gen = gen.configure(**settings)
            self._configured[model] = gen
            return gen

    def info(self, name: str) -> ModelInfo:
        model = self.resolve_name(name)
        entry = self._entries[model]
        return ModelInfo(model, entry.generator.provider, entry.generator.capabilities, entry.aliases,
                         entry.plugin)

    def models(self, *, supports: Iterable[str] | str = (), provider: str | None = None,
               include_retired: bool = True, retiring: str | int | dt.date | None = None) -> list[ModelInfo]:
        """Registered models, optionally only those with every feature in *supports*.

        ``retiring="90d"`` (``30d``, ``2w``, whole days or a date) keeps only the models whose
        shutdown date falls between today and then; ``include_retired=False`` drops the models
        already past it.
        """
        wanted = [supports] if isinstance(supports, str) else list(supports)
        for feature in wanted:
            feature_test(feature)  # raises InvalidOptionError for an unknown feature
        if provider:
            provider = self.resolve_provider(provider)
        day = self.today()
        horizon = None if retiring is None else lifecycle.parse_horizon(retiring, day=day)
        out = []
        with self._lock:
            entries = list(self._entries.values())
        for entry in entries:
            gen = entry.generator
            caps = gen.capabilities
            if provider and gen.provider != provider:
                continue
            if not include_retired and lifecycle.status_on(caps.lifecycle, day) == "retired":
                continue
            if horizon is not None and not lifecycle.retiring_by(caps.lifecycle, horizon, day):
                continue
            if all(caps.supports(f) for f in wanted):
                out.append(ModelInfo(gen.model_id, gen.provider, caps, entry.aliases, entry.plugin))
        return sorted(out, key=lambda m: (m.provider, m.model))

    def __contains__(self, name: str) -> bool:
        try:
            self.resolve_name(name)
        except UnknownModelError:
            return False
        return True

    # ------------------------------------------------------------------ building and checking

    def build_request(self, operation: Operation, prompt: str | None, options: Mapping[str, Any],
                      images: Any = None) -> Request:
        """A request from keyword options: common ones go to fields, the rest to provider options.

        For ``Operation.TRY_ON`` the options hold ``person`` and ``garments`` (and optionally
        ``category``: the category of every garment given without one); *prompt* may be ``None``.
        """
        if operation is Operation.TRY_ON:
            return _try_on_request(prompt, options)
        text: Any = prompt  # None is refused by the request's own check
        fields = (EditRequest if operation is Operation.EDIT else GenerateRequest).field_names()
        common: dict[str, Any] = {}
        extra: dict[str, Any] = dict(options.get("options") or {})
        for key, value in options.items():
            if key == "options":
                continue
            if key in fields:
                common[key] = value
            elif value is not None:
                extra[key] = value
        if operation is Operation.EDIT:
            return EditRequest(prompt=text, images=images, options=extra, **common)
        if "mask" in options or "input_fidelity" in options:
            raise InvalidOptionError([Problem(k, options[k], f"{k} applies to edits only; use edit()")
                                      for k in ("mask", "input_fidelity") if k in options])
        return GenerateRequest(prompt=text, options=extra, **common)

    def _build_for(self, gen: ImageGenerator, operation: Operation, prompt: str | None, options: Mapping[str, Any],
                   images: Any) -> Request:
        """:meth:`build_request`, but an invalid value also reports what *gen* cannot honour, all at once."""
        try:
            return self.build_request(operation, prompt, options, images=images)
        except InvalidOptionError as exc:
            bad = set(exc.options)
            rest = {k: v for k, v in options.items() if k not in bad}
            if bad & {"prompt", "images", "options", "person", "garments"} or len(rest) == len(options):
                raise
            try:
                partial = self.build_request(operation, prompt, rest, images=images)
            except InvalidOptionError:
                raise exc from None
            more = self._problems(find_problems(partial, gen.capabilities), gen.model_id, operation)
            if not more:
                raise
            raise InvalidOptionError([*exc.problems, *more], model=gen.model_id) from None

    def _supporters(self, finding: Finding, operation: Operation) -> list[str]:
        with self._lock:
            entries = list(self._entries.values())
        day = self.today()
        return sorted(
            e.generator.model_id for e in entries
            if operation in e.generator.capabilities.operations and finding.accepts(e.generator.capabilities)
            and lifecycle.status_on(e.generator.capabilities.lifecycle, day) != "retired"
        )

    def _problems(self, findings: Sequence[Finding], model: str, operation: Operation) -> list[Problem]:
        return [Problem(f.option, f.value, f"{model} {f.reason}", self._supporters(f, operation))
                for f in findings]

    def check(self, request: Request, model: str, *, strict: bool | None = None,
              allow_retired: bool | None = None) -> tuple[Request, list[Notice]]:
        """Validate (and in lenient mode adapt) *request* for *model*; raises when it cannot work."""
        return self._check(request, self.get(model), self.strict if strict is None else strict, allow_retired)

    def _check(self, request: Request, gen: ImageGenerator, strict: bool,
               allow_retired: bool | None = None) -> tuple[Request, list[Notice]]:
        caps = gen.capabilities
        if request.n > self.max_n:
            raise InvalidOptionError([Problem(
                "n", request.n, f"n={request.n} is more than the {self.max_n} images one request may ask for; "
                "split the work (a batch) or raise Router(max_n=...)")], model=gen.model_id)
        notices = self._lifecycle_notices(gen, allow_retired)
        if strict:
            findings = find_problems(request, caps)
        else:
            request, adapted, findings = adapt(request, caps)
            notices.extend(adapted)
        if findings:
            raise UnsupportedOptionError(self._problems(findings, gen.model_id, request.operation),
                                         model=gen.model_id)
        request = self._typed_options(request, gen)
        notices.extend(advise(request, caps))
        return request, notices

    def _typed_options(self, request: Request, gen: ImageGenerator) -> Request:
        opts_type = gen.capabilities.provider_options
        if opts_type is None or not isinstance(request.options, Mapping):
            return request
        try:
            typed = opts_type(**request.options)
        except (TypeError, ValueError) as exc:
            # attrs validators raise (message, attribute, ...): show the message alone
            detail = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            raise InvalidOptionError([Problem("options", {k: shown(k, v) for k, v in request.options.items()},
                                              f"invalid option for {gen.model_id}: {detail}")],
                                     model=gen.model_id) from None
        return request.copy_with(options=typed)

    def retired_reason(self, gen: ImageGenerator, allow_retired: bool | None = None) -> str | None:
        """Why retired *gen* may still be sent (an opt-in), or ``None`` when it may not."""
        setting = self._settings.get(gen.provider, {}).get("serves_retired")
        return self.retired_policy.allows(gen.model_id, gen.provider, setting=setting, call=allow_retired)

    def _lifecycle_notices(self, gen: ImageGenerator, allow_retired: bool | None = None) -> list[Notice]:
        """The model's lifecycle today: nothing, a notice (warned once), or ModelRetiredError."""
        life = gen.capabilities.lifecycle
        day = self.today()
        status = lifecycle.status_on(life, day)
        if status == "active":
            return []
        text = lifecycle.describe_on(life, gen.model_id, day)
        if status == "retired":
            why = self.retired_reason(gen, allow_retired)
            if why is None:
                when = f" on {life.shutdown_on.isoformat()}" if life.shutdown_on else ""
                raise ModelRetiredError(
                    f"{gen.model_id} was shut down{when} and is no longer served (nothing was sent)",
                    successors=life.successors, provider=gen.provider, model=gen.model_id,
                    hint="If your deployment (Azure, an OpenAI-compatible endpoint, ...) still serves it, pass "
                         "allow_retired=True, or set the provider setting serves_retired=True or "
                         f"{lifecycle.SERVES_RETIRED_ENV}={gen.model_id}")
            text += f"; sent anyway: {why}"
        with _warned_lock:
            first = gen.model_id not in _warned
            _warned.add(gen.model_id)
        if first and status in ("retired", "deprecated"):
            warnings.warn(text, RetiredModelWarning, stacklevel=_caller_stacklevel())
        return [Notice(f"model-{status}", text, option="model", original=gen.model_id,
                       applied=life.successors or None)]

    def explain(self, model: str | Sequence[str], prompt: str | None = "(prompt)", *, images: Any = None,
                **options: Any) -> list[str]:
        """Why *model* cannot serve a request with these options (empty list = it can).

        For a preference list: empty when one of its models can serve, else every model's reasons
        (a model past its shutdown date, unless ``allow_retired``, says so first).
        """
        allow_retired = options.pop("allow_retired", None)
        edit = images is not None or options.get("mask") is not None or "input_fidelity" in options
        op = Operation.TRY_ON if "garments" in options else Operation.EDIT if edit else Operation.GENERATE
        if op is Operation.TRY_ON:
            options.setdefault("person", "(person)")
        request = self.build_request(op, prompt, options, images=images if images is not None else ["(image)"])
        names = self._candidates(model)
        reasons: list[str] = []
        day = self.today()
        for name in names:
            gen = self.get(name)
            findings = find_problems(request, gen.capabilities)
            problems = [str(p) for p in self._problems(findings, gen.model_id, op)]
            life = gen.capabilities.lifecycle
            if lifecycle.status_on(life, day) == "retired" and self.retired_reason(gen, allow_retired) is None:
                problems.insert(0, lifecycle.describe_on(life, gen.model_id, day))
            if not problems:
                return []
            reasons.extend(problems)
        return reasons

    def estimate(self, prompt: str | None, *, model: str | Sequence[str], images: Any = None,
                 strict: bool | None = None, **options: Any) -> Estimate:
        """The cost of a request, estimated from the request alone (nothing is sent).

        For a preference list: the estimate of the first model that can take the request, as a
        real run would choose it (models that cannot honour it, or have no key, are passed over).
        Local input images (files, bytes, PIL images, data URLs) are loaded and prepared as a
        real call would, so their sizes count; URLs are not fetched (their sizes are priced at
        the largest the model accepts, or left out, as the estimate's basis says).
        A try-on is estimated with ``person=`` and ``garments=`` (see :meth:`estimate_try_on`).
        """
        op = _operation_of(images, options)
        allow_retired = options.pop("allow_retired", None)
        names = self._candidates(model)
        skipped: list[Skip] = []
        for name in names:
            gen = self.get(name)
            try:
                request = self._build_for(gen, op, prompt, options, images)
                request, _ = self._check(request, gen, self.strict if strict is None else strict, allow_retired)
                request, _ = self._prepare_inputs(request, gen, self.strict if strict is None else strict,
                                                  fetch=False)
                if len(names) > 1:
                    self.check_credentials(gen)
            except (UnsupportedOptionError, MissingCredentialsError, ModelRetiredError) as exc:
                self._unfit(names, name, exc, skipped)
                continue
            return self.estimate_request(gen, request)
        raise self._exhausted(skipped)

    @staticmethod
    def check_credentials(gen: ImageGenerator) -> None:
        """Raise :class:`~tryon.errors.MissingCredentialsError` when *gen* has no key (no network).

        Uses the generator's optional ``check_credentials()``; generators without one pass.
        """
        checker = getattr(gen, "check_credentials", None)
        if checker is not None:
            checker()

    @staticmethod
    def estimate_request(gen: ImageGenerator, request: Request) -> Estimate:
        """The estimate of a checked (and, for its input sizes to count, prepared) *request* on *gen*:
        from its declared price (:mod:`tryon.pricing`), else the plugin's own ``estimate``, else
        ``usd=None``."""
        return pricing.estimate_for(gen, request)

    # ------------------------------------------------------------------ inputs

    @property
    def fetcher(self) -> Any:
        from tryon.media.fetch import URLFetcher, default_fetcher

        if self._allow_private_urls is None:
            return default_fetcher()  # read each time: configure_fetcher() changes take effect at once
        if self._fetcher is None:
            self._fetcher = URLFetcher(allow_private=self._allow_private_urls)
        return self._fetcher

    def _prepare_inputs(self, request: Request, gen: ImageGenerator, strict: bool,
                        fetch: bool = True) -> tuple[Request, list[Notice]]:
        if isinstance(request, TryOnRequest):
            from tryon.vto.inputs import prepare_try_on_inputs

            limits = gen.capabilities.inputs_for(option_getter(request, gen.capabilities))
            return prepare_try_on_inputs(request, limits, strict=strict, fetch=fetch, fetcher=self.fetcher)
        if not isinstance(request, EditRequest):
            return request, []
        from tryon.media import prepare_images, prepare_mask, prepare_overlay
        from tryon.media.inputs import InputImage, load_image

        limits = gen.capabilities.inputs_for(option_getter(request, gen.capabilities))
        sources = list(request.images)
        images: list[Any]
        if fetch or not any(is_url(s) for s in sources):
            images, notices = prepare_images(sources, limits, strict=strict, fetcher=self.fetcher)
        else:
            images, notices = _prepare_local_images(sources, limits, strict)
        first = images[0] if isinstance(images[0], InputImage) else None
        mask = request.mask
        if mask is not None and (fetch or not is_url(mask)):
            if first is None:  # the first image is an unfetched URL: check the mask on its own
                mask, mask_notices = prepare_mask(mask, load_image(mask), limits=limits, strict=strict)
            else:
                from tryon.media.prepare import upright_for_mask

                first, oriented = upright_for_mask(first, limits, strict=strict)
                images[0] = first
                notices.extend(oriented)
                mask, mask_notices = prepare_mask(mask, first, limits=limits, strict=strict, fetcher=self.fetcher)
            notices.extend(mask_notices)
        options = request.options
        for name in gen.capabilities.image_options:
            source = getattr(options, name, None)
            if source is not None and first is not None and (fetch or not is_url(source)):
                overlay = prepare_overlay(source, first, option=name, limits=limits, fetcher=self.fetcher)
                options = attrs.evolve(options, **{name: overlay})
        return request.copy_with(images=tuple(images), mask=mask, options=options), notices

    def prepare(self, operation: Operation, prompt: str | None, model: str, *, images: Any = None,
                strict: bool | None = None, fetch: bool = True,
                **options: Any) -> tuple[ImageGenerator, Request, list[Notice]]:
        """Build, check and prepare a request for *model*: everything short of calling it.

        ``fetch=False`` prepares every local input (paths, bytes, base64, data: URLs) exactly as a
        real run would but leaves http(s) URLs unfetched (as strings in the request): what dry
        runs and batch pre-flights check without touching the network. ``allow_retired=True``
        sends a model past its shutdown date (a deployment that still serves it).
        """
        strict = self.strict if strict is None else strict
        allow_retired = options.pop("allow_retired", None)
        gen = self.get(model)
        request = self._build_for(gen, operation, prompt, options, images)
        request, notices = self._check(request, gen, strict, allow_retired)
        request, input_notices = self._prepare_inputs(request, gen, strict, fetch)
        return gen, request, notices + input_notices

    def _within_budget(self, gen: ImageGenerator, request: Request, max_cost: float | None,
                       allow_unpriced: bool) -> None:
        if max_cost is not None:
            from tryon.budget import check_estimate

            check_estimate(self.estimate_request(gen, request), max_cost, allow_unpriced=allow_unpriced)

    # ------------------------------------------------------------------ running

    def generate(self, prompt: str, *, model: str | Sequence[str], strict: bool | None = None,
                 on_part: PartCallback | None = None, max_cost: float | None = None,
                 allow_unpriced: bool = False, **options: Any) -> Generation:
        """Text to image with *model* (or the first model of a preference list that can serve).

        *on_part* receives each provider call's result as it arrives (``n`` beyond one call is
        split), before the merged result: a way to keep finished images of a long request.
        *max_cost* (US dollars) refuses, before sending, a request whose estimate exceeds it
        (:class:`~tryon.errors.BudgetExceededError`; in a preference list the model is skipped);
        a model without price data is refused under a budget unless *allow_unpriced*.
        """
        budget = _budget(max_cost, allow_unpriced)
        return self._run(Operation.GENERATE, prompt, model, None, strict, options, on_part, budget)

    def edit(self, images: Any, prompt: str, *, model: str | Sequence[str], strict: bool | None = None,
             on_part: PartCallback | None = None, max_cost: float | None = None,
             allow_unpriced: bool = False, **options: Any) -> Generation:
        """Edit *images* (one or a list; paths, URLs, bytes, PIL images, ...) following *prompt*.

        *max_cost* and *allow_unpriced* as for :meth:`generate`.
        """
        budget = _budget(max_cost, allow_unpriced)
        return self._run(Operation.EDIT, prompt, model, images, strict, options, on_part, budget)

    async def agenerate(self, prompt: str, *, model: str | Sequence[str], strict: bool | None = None,
                        on_part: PartCallback | None = None, max_cost: float | None = None,
                        allow_unpriced: bool = False, **options: Any) -> Generation:
        """Async :meth:`generate`: native where the plugin offers it, threads otherwise."""
        budget = _budget(max_cost, allow_unpriced)
        return await self._arun(Operation.GENERATE, prompt, model, None, strict, options, on_part, budget)

    async def aedit(self, images: Any, prompt: str, *, model: str | Sequence[str],
                    strict: bool | None = None, on_part: PartCallback | None = None,
                    max_cost: float | None = None, allow_unpriced: bool = False,
                    **options: Any) -> Generation:
        """Async :meth:`edit`."""
        budget = _budget(max_cost, allow_unpriced)
        return await self._arun(Operation.EDIT, prompt, model, images, strict, options, on_part, budget)

    def try_on(self, person: Any, garments: Any, *, model: str | Sequence[str], strict: bool | None = None,
               on_part: PartCallback | None = None, max_cost: float | None = None,
               allow_unpriced: bool = False, **options: Any) -> Generation:
        """Dress *person* (one image: a path, URL, bytes, PIL image, ...) in *garments*.

        *garments* is one image or a list; each may be a :class:`tryon.vto.Garment` (image and
        category), a mapping ``{"image": ..., "category": ...}`` or a bare image; ``category=``
        names the category of every garment given without one (tryon's words: ``top``,
        ``bottom``, ``one-piece``, ``outerwear``, ``footwear``, ``accessory`` and finer ones,
        :data:`tryon.vto.CATEGORIES`). Options: ``prompt``, ``mode`` (speed/balanced/quality),
        ``n``, ``seed``, ``output_format``, ``size``, ``garment_photo_type``
        (auto/flat-lay/worn), ``mask`` (black = change) or ``mask_prompt``, ``moderation``,
        ``prompt_template`` (composition models), provider options. What *model* cannot honour
        is refused before any call, naming the models that can; *model* may be a preference list
        mixing dedicated try-on models and composition models. *max_cost*, *allow_unpriced* and
        *on_part* as for :meth:`generate`.
        """
        budget = _budget(max_cost, allow_unpriced)
        prompt = options.pop("prompt", None)
        return self._run(Operation.TRY_ON, prompt, model, None, strict,
                         {"person": person, "garments": garments, **options}, on_part, budget)

    async def atry_on(self, person: Any, garments: Any, *, model: str | Sequence[str],
                      strict: bool | None = None, on_part: PartCallback | None = None,
                      max_cost: float | None = None, allow_unpriced: bool = False, **options: Any) -> Generation:
        """Async :meth:`try_on`: native where the plugin offers ``atry_on`` (or ``aedit`` for
        composition), threads otherwise."""
        budget = _budget(max_cost, allow_unpriced)
        prompt = options.pop("prompt", None)
        return await self._arun(Operation.TRY_ON, prompt, model, None, strict,
                                {"person": person, "garments": garments, **options}, on_part, budget)

    def estimate_try_on(self, person: Any, garments: Any, *, model: str | Sequence[str],
                        strict: bool | None = None, **options: Any) -> Estimate:
        """The cost of a :meth:`try_on`, estimated before any call (nothing is sent)."""
        prompt = options.pop("prompt", None)
        return self.estimate(prompt, model=model, strict=strict, person=person, garments=garments, **options)

    def explain_try_on(self, model: str | Sequence[str], garments: Any = ("(garment)",), **options: Any) -> list[str]:
        """Why *model* cannot serve a try-on with these options (empty list = it can); sends nothing."""
        prompt = options.pop("prompt", None)
        return self.explain(model, prompt, garments=garments, **options)

    def _candidates(self, model: str | Sequence[str]) -> list[str]:
        if isinstance(model, str):
            names = [model]
        elif isinstance(model, Sequence) and all(isinstance(m, str) for m in model):
            names = list(model)
        else:
            raise InvalidOptionError([Problem("model", model, f"model must be a model name or a list of names, "
                                              f"not {model!r}; see tryon.models() for the installed ones")])
        if not names:
            raise InvalidOptionError([Problem("model", model, "model is an empty list; name at least one")])
        return [self.resolve_name(n) for n in names]

    @staticmethod
    def _unfit(names: list[str], name: str, exc: ValidationError, skipped: list[Skip]) -> None:
        """A model of a preference list cannot take the request (options, inputs, no key): skip it."""
        if len(names) == 1:
            raise exc
        if isinstance(exc, MissingCredentialsError):
            reason = f"no API key: {exc}"
        elif isinstance(exc, ModelRetiredError):
            reason = f"retired: {exc}"
        elif isinstance(exc, InvalidInputError):
            reason = f"cannot take the inputs: {exc}"
        elif isinstance(exc, BudgetExceededError):
            reason = f"over budget: {exc}"
        else:
            reason = f"cannot honour the request: {exc}"
        skipped.append(Skip(name, reason, exc))

    @staticmethod
    def _exhausted(skipped: list[Skip]) -> NoModelAvailableError | ValidationError:
        """The error for a list whose every model was skipped: the input error itself when all agree."""
        errors = [s.error for s in skipped]
        if errors and all(isinstance(e, InvalidInputError) for e in errors):
            first = errors[0]
            if all(str(e) == str(first) for e in errors):
                return first  # type: ignore[return-value]
        if errors and all(isinstance(e, (UnsupportedOptionError, InvalidOptionError, InvalidInputError))
                          for e in errors):
            return NoModelFitsError(skipped)  # every model refused the request itself: a ValueError
        return NoModelAvailableError(skipped)

    @staticmethod
    def _failed(names: list[str], index: int, exc: ProviderError, skipped: list[Skip]) -> None:
        """A call failed: fall through to the next model when a retry elsewhere could help."""
        if len(names) == 1 or not exc.retryable:
            raise exc
        skipped.append(Skip(names[index], f"failed: {exc}", exc))
        if index == len(names) - 1:
            raise NoModelAvailableError(skipped) from exc

    def _run(self, op: Operation, prompt: str | None, model: str | Sequence[str], images: Any,
             strict: bool | None, options: Mapping[str, Any], on_part: PartCallback | None = None,
             budget: tuple[float | None, bool] = (None, False)) -> Generation:
        names = self._candidates(model)
        skipped: list[Skip] = []
        for i, name in enumerate(names):
            try:
                gen, request, notices = self.prepare(op, prompt, name, images=images, strict=strict, **options)
                self._within_budget(gen, request, *budget)
            except (UnsupportedOptionError, InvalidInputError, BudgetExceededError, ModelRetiredError) as exc:
                self._unfit(names, name, exc, skipped)
                continue
            started = time.perf_counter()
            try:
                result = fanout.run_sync(gen, request, on_part)
            except (MissingCredentialsError, ModelRetiredError) as exc:  # retired: the service said so
                self._unfit(names, name, exc, skipped)
                continue
            except PartialResultError as exc:  # the kept images get the same metadata as a result's
                exc.generation = self._finish(exc.generation, request, notices, started, skipped, gen)
                raise
            except ProviderError as exc:
                self._failed(names, i, exc, skipped)
                continue
            return self._finish(result, request, notices, started, skipped, gen)
        raise self._exhausted(skipped)

    async def _arun(self, op: Operation, prompt: str | None, model: str | Sequence[str], images: Any,
                    strict: bool | None, options: Mapping[str, Any],
                    on_part: PartCallback | None = None,
             budget: tuple[float | None, bool] = (None, False)) -> Generation:
        import asyncio

        names = self._candidates(model)
        skipped: list[Skip] = []
        for i, name in enumerate(names):
            try:
                gen, request, notices = await asyncio.to_thread(
                    self.prepare, op, prompt, name, images=images, strict=strict, **options)
                self._within_budget(gen, request, *budget)
            except (UnsupportedOptionError, InvalidInputError, BudgetExceededError, ModelRetiredError) as exc:
                self._unfit(names, name, exc, skipped)
                continue
            started = time.perf_counter()
            try:
                result = await fanout.run_async(gen, request, on_part)
            except (MissingCredentialsError, ModelRetiredError) as exc:  # retired: the service said so
                self._unfit(names, name, exc, skipped)
                continue
            except PartialResultError as exc:  # the kept images get the same metadata as a result's
                exc.generation = self._finish(exc.generation, request, notices, started, skipped, gen)
                raise
            except ProviderError as exc:
                self._failed(names, i, exc, skipped)
                continue
            return self._finish(result, request, notices, started, skipped, gen)
        raise self._exhausted(skipped)

    def _finish(self, result: Generation, request: Request, notices: list[Notice], started: float,
                skipped: list[Skip], gen: ImageGenerator) -> Generation:
        from tryon.vto.composition import sent_prompt

        elapsed = time.perf_counter() - started
        sent = sent_prompt(request, gen.capabilities)

        def sidecar() -> dict[str, Any]:
            # usage and cost belong to the whole request (all its images), hence the names
            return {
                "prompt": request.prompt if sent is None else sent,
                **({} if sent is None else {"user_prompt": request.prompt}),
                "operation": request.operation.value,
                "model": result.model,
                "provider": result.provider,
                "options": _jsonable(request.set_options()),
                "provider_options": _jsonable(request.provider_options_dict()),
                "images_in_request": len(result.images),
                "request_usage": result.usage.to_dict() if result.usage else None,
                "request_cost_usd": result.cost_usd,
                "created_at": result.created_at.isoformat(),
                "elapsed_s": round(elapsed, 3),
                "request_id": result.request_id,
                "request_ids": list(result.request_ids),
            }

        shared = LazyInfo(sidecar)  # built only when a sidecar is written or info is read
        images = tuple(
            replace(img, index=i, info=shared if not img.info else _merged(shared, img.info))
            for i, img in enumerate(result.images)
        )
        return replace(
            result, images=images, warnings=_dedupe((*notices, *result.warnings)),
            elapsed_s=result.elapsed_s if result.elapsed_s is not None else elapsed, skipped=tuple(skipped))

    # ------------------------------------------------------------------ streaming

    def _streamable(self, gen: ImageGenerator, request: Request, op: Operation, method: str) -> Any:
        streamer = getattr(gen, method, None)
        if streamer is None or not gen.capabilities.streaming:
            raise UnsupportedOptionError(self._problems(
                [Finding("stream", True, "does not support streaming", lambda c: c.streaming)],
                gen.model_id, op), model=gen.model_id)
        fmt = request.output_format or gen.capabilities.defaults.get("output_format")
        if fmt in gen.capabilities.unstreamable_formats:
            raise UnsupportedOptionError(self._problems(
                [Finding("stream", True, f"cannot stream output_format={fmt!r}",
                         lambda c: c.streaming and fmt in c.output_formats and fmt not in c.unstreamable_formats)],
                gen.model_id, op), model=gen.model_id)
        if request.n > gen.capabilities.max_images_per_call:
            raise InvalidOptionError([Problem("n", request.n,
                f"streaming makes one call: n must be at most {gen.capabilities.max_images_per_call}")])
        return streamer

    def stream(self, prompt: str, *, model: str, images: Any = None, strict: bool | None = None,
               max_cost: float | None = None, allow_unpriced: bool = False,
               **options: Any) -> Iterator[PartialImage | Generation]:
        """Partial images as they arrive, then the final :class:`Generation` (last item).

        *max_cost* and *allow_unpriced* as for :meth:`generate`.
        """
        _one_model(model)
        budget = _budget(max_cost, allow_unpriced)
        op = Operation.EDIT if images is not None else Operation.GENERATE
        gen, request, notices = self.prepare(op, prompt, model, images=images, strict=strict, **options)
        self._within_budget(gen, request, *budget)
        streamer = self._streamable(gen, request, op, "stream")
        started = time.perf_counter()
        for event in streamer(request):
            yield self._streamed(gen, event, request, notices, started)

    async def astream(self, prompt: str, *, model: str, images: Any = None, strict: bool | None = None,
                      max_cost: float | None = None, allow_unpriced: bool = False,
                      **options: Any) -> AsyncIterator[PartialImage | Generation]:
        """Async :meth:`stream`: native where the plugin offers ``astream``, a worker thread otherwise."""
        import asyncio

        _one_model(model)
        budget = _budget(max_cost, allow_unpriced)
        op = Operation.EDIT if images is not None else Operation.GENERATE
        gen, request, notices = await asyncio.to_thread(
            self.prepare, op, prompt, model, images=images, strict=strict, **options)
        self._within_budget(gen, request, *budget)
        events: AsyncIterator[Any]
        if getattr(gen, "astream", None) is not None:
            events = self._streamable(gen, request, op, "astream")(request)
        else:
            events = _in_thread(self._streamable(gen, request, op, "stream")(request))
        started = time.perf_counter()
        async for event in events:
            yield self._streamed(gen, event, request, notices, started)

    def _streamed(self, gen: ImageGenerator, event: Any, request: Request, notices: list[Notice],
                  started: float) -> Any:
        """A stream's event as delivered: partial images as they are, the final result checked."""
        if not isinstance(event, Generation):
            return event
        try:
            result = fanout.checked(gen, request, event)
        except PartialResultError as exc:
            exc.generation = self._finish(exc.generation, request, notices, started, [], gen)
            raise
        return self._finish(pricing.priced(gen, request, result), request, notices, started, [], gen)


def _check_generator(generator: Any) -> None:
    """A registered generator has the members of the operations it declares (else PluginError)."""
    missing = [name for name in ("model_id", "provider", "capabilities") if not hasattr(generator, name)]
    if missing:
        raise PluginError(f"{generator!r} does not implement the ImageGenerator protocol (missing "
                          f"{', '.join(missing)}; needs model_id, provider, capabilities and the methods of its "
                          "operations)")
    caps = generator.capabilities
    if not isinstance(caps, Capabilities):
        raise PluginError(f"{generator.model_id}: capabilities must be a tryon.Capabilities")
    needed = {Operation.GENERATE: "generate", Operation.EDIT: "edit"}
    if caps.try_on is not None and caps.try_on.composition is None:
        needed[Operation.TRY_ON] = "try_on"
    if caps.operations <= {Operation.TRY_ON}:
        methods = [needed[op] for op in caps.operations if op in needed]
    else:  # generators of images implement both methods of the ImageGenerator protocol
        methods = ["generate", "edit", *(["try_on"] if Operation.TRY_ON in needed else [])]
    absent = [m for m in methods if not callable(getattr(generator, m, None))]
    if absent:
        raise PluginError(f"{generator.model_id}: declares {', '.join(sorted(op.value for op in caps.operations))} "
                          f"but has no {', '.join(absent)} method (see tryon.protocol)")


def _operation_of(images: Any, options: Mapping[str, Any]) -> Operation:
    if "garments" in options:
        return Operation.TRY_ON
    return Operation.EDIT if images is not None else Operation.GENERATE


def _try_on_request(prompt: str | None, options: Mapping[str, Any]) -> TryOnRequest:
    from tryon.request import _images
    from tryon.vto.garments import Garment, check_category

    fields = TryOnRequest.field_names()
    common: dict[str, Any] = {}
    extra: dict[str, Any] = dict(options.get("options") or {})
    category = None
    for key, value in options.items():
        if key == "options":
            continue
        if key == "category":
            category = check_category(value)
        elif key in fields:
            common[key] = value
        elif value is not None:
            extra[key] = value
    garments = common.pop("garments", None)
    if garments is not None:
        garments = tuple(Garment.of(g, category) for g in _images(garments))
    return TryOnRequest(prompt=prompt, garments=garments, options=extra, **common)


def _budget(max_cost: Any, allow_unpriced: bool) -> tuple[float | None, bool]:
    from tryon.budget import check_max_cost

    return check_max_cost(max_cost), bool(allow_unpriced)


def is_url(source: object) -> bool:
    """Whether *source* is an http(s) URL (which ``prepare(fetch=False)`` leaves unfetched)."""
    return isinstance(source, str) and source.strip()[:8].lower().startswith(("http://", "https://"))


def _prepare_local_images(sources: list[Any], limits: Any, strict: bool) -> tuple[list[Any], list[Notice]]:
    """:func:`~tryon.media.prepare_images` for the local sources; http(s) URLs are kept as they are."""
    from tryon.media import prepare_images

    if limits.max_count is not None and len(sources) > limits.max_count:
        prepare_images(sources, limits, strict=strict)  # raises the too-many-images error
    images: list[Any] = []
    notices: list[Notice] = []
    for number, source in enumerate(sources, start=1):
        if is_url(source):
            from tryon.urls import parse_url

            parse_url(source.strip())  # not fetched, but read exactly as a real run would: ambiguous URLs refused
            images.append(source)
            continue
        try:
            [image], fitted = prepare_images([source], limits, strict=strict)
        except InvalidInputError as exc:
            if len(sources) == 1:
                raise
            raise type(exc)(f"image {number} of {len(sources)}: {exc.message}", input_name=exc.input_name) from None
        images.append(image)
        notices.extend(fitted)
    return images, notices


def _one_model(model: Any) -> None:
    if model is None or not isinstance(model, str | Sequence):
        raise InvalidOptionError([Problem("model", model, f"model must be a model name, not {model!r}")])
    if not isinstance(model, str):
        raise InvalidOptionError([Problem("model", model, "streaming takes one model, not a preference list: "
                                                          "partial images cannot fall through to another model")])


async def _in_thread(events: Iterator[Any]) -> AsyncIterator[Any]:
    """Drive a blocking iterator in a worker thread, yielding its items on the event loop."""
    import asyncio

    queue: asyncio.Queue[Any] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    done = object()

    def pump() -> None:
        try:
            for event in events:
                loop.call_soon_threadsafe(queue.put_nowait, event)
        except BaseException as exc:  # delivered to the awaiting side
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, done)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(pump)
        while True:
            item = await queue.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            yield item


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside tryon."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def _merged(shared: Mapping[str, Any], own: Mapping[str, Any]) -> LazyInfo:
    return LazyInfo(lambda: {**shared, **own})


def _dedupe(notices: Iterable[Notice]) -> tuple[Notice, ...]:
    return tuple(dict.fromkeys(notices))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)

