"""The one error hierarchy of tryon.

Validation errors (raised before anything is sent) are also ``ValueError``s;
provider errors carry what is known about the failed call. No message built
here ever contains an API key: every message passes through
:func:`tryon.secrets.redact`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tryon.secrets import redact

if TYPE_CHECKING:
    from tryon.results import Generation

__all__ = [
    "AuthenticationError",
    "BudgetExceededError",
    "ContentPolicyError",
    "InvalidInputError",
    "InvalidOptionError",
    "InvalidResponseError",
    "MissingCredentialsError",
    "ModelRetiredError",
    "NoModelAvailableError",
    "NoModelFitsError",
    "PartialResultError",
    "PermissionDeniedError",
    "PluginError",
    "Problem",
    "ProviderError",
    "ProviderRequestError",
    "ProviderTimeoutError",
    "RateLimitError",
    "ServiceUnavailableError",
    "TryOnError",
    "UnknownModelError",
    "UnsafeURLError",
    "UnsupportedOptionError",
    "ValidationError",
]


def _rebuild(cls: type[TryOnError], message: str, state: dict[str, Any]) -> TryOnError:
    """Unpickle a tryon error without calling its (keyword-rich) ``__init__``."""
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


def _picklable(value: Any) -> bool:
    import pickle

    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


class TryOnError(Exception):
    """Base class of every error tryon raises on purpose.

    Every tryon error pickles and unpickles with its message and attributes (those that can
    be pickled) intact; chained exceptions are not pickled (Python never pickles them).
    """

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    def __reduce__(self) -> tuple[Any, ...]:
        state = {k: v for k, v in self.__dict__.items() if _picklable(v)}
        return _rebuild, (type(self), self.message, state)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


# --------------------------------------------------------------------------- validation


class ValidationError(TryOnError, ValueError):
    """A request, option or input that cannot work; raised before any network call."""


class Problem:
    """One thing wrong with a request: the option, its value and why."""

    __slots__ = ("message", "option", "supported_by", "value")

    def __init__(
        self, option: str, value: Any, message: str, supported_by: Sequence[str] = ()
    ) -> None:
        self.option = option
        self.value = value
        self.message = message
        self.supported_by = tuple(supported_by)

    def __str__(self) -> str:
        if self.supported_by:
            shown = ", ".join(self.supported_by[:8])
            more = ", ..." if len(self.supported_by) > 8 else ""
            return f"{self.message}; models that do: {shown}{more}"
        return self.message

    def __repr__(self) -> str:
        return f"Problem(option={self.option!r}, value={self.value!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and (self.option, self.message) == (other.option, other.message)

    def __hash__(self) -> int:
        return hash((self.option, self.message))


class _ProblemsError(ValidationError):
    """A validation error that reports every problem of one request together."""

    def __init__(self, problems: Sequence[Problem] | str, *, model: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem("", None, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.model = model
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} problems with this request:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(text)

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(p.option for p in self.problems)


class UnsupportedOptionError(_ProblemsError):
    """The model cannot honour an option (or a value of it); names the models that can."""


class InvalidOptionError(_ProblemsError):
    """An option value that no model could accept (wrong type, out of range, malformed)."""


class UnknownModelError(ValidationError):
    """No registered generator answers to this model name."""

    def __init__(self, name: str, close_matches: Sequence[str] = (), known: Sequence[str] = ()) -> None:
        self.name = name
        self.close_matches = tuple(close_matches)
        if self.close_matches:
            hint = "did you mean " + ", ".join(repr(m) for m in self.close_matches) + "?"
        elif known:
            hint = "known models: " + ", ".join(known)
        else:
            hint = "no models are registered (is a provider plugin installed and loaded? see `tryon plugins`)"
        super().__init__(f"unknown model {name!r}; {hint}")


class MissingCredentialsError(ValidationError):
    """No API key was found for a provider; says where one is looked for."""

    def __init__(self, provider: str, env_vars: Sequence[str], argument: str = "api_key") -> None:
        self.provider = provider
        self.env_vars = tuple(env_vars)
        names = " or ".join(self.env_vars)
        super().__init__(
            f"no API key for {provider}: set the {names} environment variable "
            f"or pass {argument}=... (nothing was sent)"
        )


class InvalidInputError(ValidationError):
    """An image, mask or URL input that cannot be used; names the input."""

    def __init__(self, message: str, *, input_name: str | None = None) -> None:
        self.input_name = input_name
        super().__init__(message)


class UnsafeURLError(InvalidInputError):
    """A URL refused for safety: a scheme other than http(s), or a non-public address."""


# --------------------------------------------------------------------------- provider side


class ProviderError(TryOnError):
    """A provider call failed. Carries provider, model, HTTP status, request id and retryability."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.provider = provider
        self.model = model
        self.status = status
        self.request_id = request_id
        self.detail = redact(message)  # the message alone, without provider, model, status
        if retryable is not None:
            self.retryable = retryable
        where = "/".join(x for x in (provider, model) if x)
        details = []
        if status is not None:
            details.append(f"HTTP {status}")
        if request_id:
            details.append(f"request id {request_id}")
        suffix = f" ({', '.join(details)})" if details else ""
        super().__init__(f"{where}: {message}{suffix}" if where else f"{message}{suffix}")


class AuthenticationError(ProviderError):
    """The provider rejected the credentials (HTTP 401)."""


class PermissionDeniedError(ProviderError):
    """The credentials are valid but not allowed to do this (HTTP 403)."""


class RateLimitError(ProviderError):
    """Too many requests (HTTP 429); ``retry_after`` is in seconds when the provider said."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ContentPolicyError(ProviderError):
    """The provider's moderation refused the prompt, an input or the output."""


class ProviderTimeoutError(ProviderError):
    """The call did not finish in time."""

    retryable = True


class ServiceUnavailableError(ProviderError):
    """The provider is down, overloaded or failed internally (5xx, connection errors)."""

    retryable = True


class InvalidResponseError(ProviderError):
    """The provider answered with something that is not a valid response."""


class ProviderRequestError(ProviderError):
    """The provider refused the request as invalid (HTTP 400/404/422) despite local validation."""


class ModelRetiredError(ProviderRequestError, ValidationError):
    """The provider no longer serves the model; names its successors.

    Raised before anything is sent for a model past its declared shutdown date (then also a
    ``ValueError``), or after the service answered that it does not know a retired model.
    """

    def __init__(self, message: str, *, successors: Sequence[str] = (), hint: str = "", **kwargs: Any) -> None:
        self.successors = tuple(successors)
        if self.successors:
            message = f"{message}; use {' or '.join(self.successors)} instead"
        if hint:
            message = f"{message}. {hint}"
        super().__init__(message, **kwargs)


class NoModelAvailableError(TryOnError):
    """Every model of a preference list was skipped or failed; ``skipped`` says why."""

    def __init__(self, skipped: Sequence[Any], *, unsupported: bool = False) -> None:
        self.skipped = tuple(skipped)
        lines = "\n".join(f"  - {s}" for s in self.skipped)
        super().__init__(f"no model of the preference list could serve the request:\n{lines}")


class NoModelFitsError(NoModelAvailableError, ValidationError):
    """Every model of a preference list refused the request before any call (unsupported or invalid
    options, inputs none can take): a :class:`ValueError` as a single model's refusal is, and still a
    :class:`NoModelAvailableError` (``skipped`` says why each model refused)."""


class PartialResultError(TryOnError):
    """Some calls of a fanned-out request failed; ``generation`` holds the images that succeeded."""

    def __init__(self, generation: Generation, errors: Sequence[BaseException]) -> None:
        self.generation = generation
        self.errors = tuple(errors)
        got = len(generation.images)
        first = self.errors[0] if self.errors else None
        super().__init__(
            f"{len(self.errors)} of the calls failed; {got} image(s) succeeded and are kept on "
            f"this error's .generation (first error: {first})"
        )


class BudgetExceededError(ValidationError):
    """A request (or the next job of a batch) would cost more than ``max_cost`` allows, or its cost is
    unknown under a budget; refused before anything is sent. ``estimate_usd`` is ``None`` for an
    unpriced model."""

    def __init__(self, message: str, *, estimate_usd: float | None = None, max_cost: float | None = None) -> None:
        super().__init__(message)
        self.estimate_usd = estimate_usd
        self.max_cost = max_cost

    def __reduce__(self) -> Any:
        return (_rebuild_budget_error, (self.message, self.estimate_usd, self.max_cost))


def _rebuild_budget_error(message: str, estimate_usd: float | None, max_cost: float | None) -> BudgetExceededError:
    return BudgetExceededError(message, estimate_usd=estimate_usd, max_cost=max_cost)


class PluginError(TryOnError):
    """A plugin could not be loaded or registered something invalid."""
