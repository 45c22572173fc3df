"""Class 6 of issue 11: no provider key in any exception text, chained exception, traceback,
pickle or log record at any level; credential-named options are never shown; every tryon
exception pickles and unpickles with its message intact."""

from __future__ import annotations

import logging
import pickle
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from slow_server import Behaviour, SlowServer
from tryon_flux import generators as flux_generators

import tryon
import tryon.errors as errors_module
from tryon.batch.jobs import JobFileError
from tryon.batch.lock import FolderLockedError
from tryon.cancel import CallCancelled
from tryon.declared import ModelsFileError
from tryon.errors import Problem, TryOnError
from tryon.http import send, shared_session
from tryon.media import URLFetcher
from tryon.results import Generation
from tryon.secrets import LOGGERS, is_secret_name, redact, remember, scrub_exception
from tryon.testing.fake import FakeGenerator

CORE = "SECRETSECRETSECRET0123456789"
KEYS = {"openai": "sk-live-" + CORE, "bfl": "bfl_live_" + CORE, "gemini": "AIzaSy" + CORE,
        "replicate": "r8_" + CORE}


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def assert_clean(err: BaseException, records: list[logging.LogRecord]) -> None:
    texts = []
    for e in _chain(err):
        texts += [str(e), repr(e), repr(e.args), repr(getattr(e, "__dict__", {}))]
    texts.append("".join(traceback.format_exception(err)))
    texts.append(pickle.dumps(err).decode("latin-1"))
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts += [formatter.format(r) for r in records]
    for text in texts:
        assert CORE not in text, text[:500]


@pytest.fixture
def slow() -> Iterator[SlowServer]:
    with SlowServer() as server:
        yield server


def _echo(status: int, key: str) -> Behaviour:
    body = ('{"error": {"message": "Incorrect API key provided: ' + key + '. You can find your key at ...", '
            '"code": "invalid_api_key", "type": "invalid_request_error"}, "detail": "key ' + key + '"}')
    return Behaviour(status, {"Content-Type": "application/json", "X-Echo": key}, body.encode())


STATUSES = [400, 401, 403, 429, 500]


@pytest.mark.parametrize("status", STATUSES)
def test_openai_errors_that_echo_the_key(status: int, slow: SlowServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    slow.routes["/v1/images/generations"] = _echo(status, KEYS["openai"])
    router = tryon.Router(settings={"openai": {"base_url": slow.base_url + "/v1", "api_key": KEYS["openai"],
                                               "max_retries": 0}})
    with pytest.raises(tryon.ProviderError) as info:
        router.generate("x", model="gpt-image-1.5")
    assert info.value.__cause__ is not None  # the SDK's error is kept, scrubbed
    assert_clean(info.value, caplog.records)


@pytest.mark.parametrize("status", STATUSES)
def test_gemini_errors_that_echo_the_key(status: int, slow: SlowServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    slow.routes["/v1beta/models/gemini-3-pro-image:generateContent"] = _echo(status, KEYS["gemini"])
    router = tryon.Router(settings={"gemini": {"base_url": slow.base_url, "api_key": KEYS["gemini"],
                                               "max_retries": 0}})
    with pytest.raises(tryon.ProviderError) as info:
        router.generate("x", model="gemini-3-pro-image")
    assert_clean(info.value, caplog.records)


@pytest.mark.parametrize("status", STATUSES)
def test_replicate_errors_that_echo_the_token(status: int, slow: SlowServer,
                                              caplog: pytest.LogCaptureFixture) -> None:
    from tryon_replicate import generators as replicate_generators

    caplog.set_level(logging.DEBUG)
    slow.routes["/v1/models/black-forest-labs/flux-schnell/predictions"] = _echo(status, KEYS["replicate"])
    router = tryon.Router(plugins=False)
    for gen in replicate_generators(api_key=KEYS["replicate"], base_url=slow.base_url, max_retries=0):
        router.register(gen)
    with pytest.raises(tryon.ProviderError) as info:
        router.generate("x", model="replicate-flux-schnell")
    assert_clean(info.value, caplog.records)


def test_a_failed_prediction_that_echoes_the_token(caplog: pytest.LogCaptureFixture) -> None:
    from tryon_replicate import generators as replicate_generators
    from tryon_replicate.emulator import ReplicateEmulator

    caplog.set_level(logging.DEBUG)
    with ReplicateEmulator() as emu:
        emu.fail_prediction_next(f"could not authorise {KEYS['replicate']} for this model")
        router = tryon.Router(plugins=False)
        for gen in replicate_generators(api_key=KEYS["replicate"], base_url=emu.url, max_retries=0):
            router.register(gen)
        with pytest.raises(tryon.ProviderRequestError) as info:
            router.generate("x", model="replicate-flux-schnell")
    assert "could not authorise" in str(info.value)
    assert_clean(info.value, caplog.records)


@pytest.mark.parametrize("status", STATUSES)
def test_flux_errors_that_echo_the_key(status: int, slow: SlowServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    slow.routes["/v1/flux-2-pro"] = _echo(status, KEYS["bfl"])
    router = tryon.Router(plugins=False)
    for gen in flux_generators(api_key=KEYS["bfl"], base_url=slow.base_url, max_retries=0):
        router.register(gen)
    with pytest.raises(tryon.ProviderError) as info:
        router.generate("x", model="flux-2-pro")
    assert_clean(info.value, caplog.records)


def test_urls_carrying_a_key_are_redacted_in_logs_and_errors(
        slow: SlowServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    remember(KEYS["gemini"])
    slow.routes["/img.png"] = Behaviour(404, {}, b"no")
    with pytest.raises(tryon.InvalidInputError) as info:
        URLFetcher(allow_private=True, retries=0).fetch(slow.url(f"/img.png?key={KEYS['gemini']}"))
    assert any(r.name.startswith("urllib3") for r in caplog.records)  # urllib3 did log the request line
    assert_clean(info.value, caplog.records)
    with pytest.raises(tryon.ProviderError) as info2:
        send(shared_session(retries=0), "GET", slow.url(f"/img.png?key={KEYS['gemini']}"), provider="t")
    assert_clean(info2.value, caplog.records)


@pytest.mark.parametrize("logger", [*LOGGERS, "urllib3.connectionpool", "openai._base_client", "httpx2._client",
                                    "google_genai.models", "tryon.http"])
@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR])
def test_every_record_of_the_driven_libraries_is_redacted(
        logger: str, level: int, caplog: pytest.LogCaptureFixture) -> None:
    remember(KEYS["openai"])
    caplog.set_level(logging.DEBUG)
    try:
        raise RuntimeError(f"boom {KEYS['openai']}")
    except RuntimeError as exc:
        logging.getLogger(logger).log(level, "headers: %s", {"Authorization": f"Bearer {KEYS['openai']}"},
                                      exc_info=exc)
    records = [r for r in caplog.records if r.name == logger]
    assert records
    assert_clean(RuntimeError("x"), records)
    assert all(CORE not in "".join(traceback.format_exception(r.exc_info[1])) for r in records if r.exc_info)


def test_scrub_reaches_causes_contexts_groups_and_notes() -> None:
    remember(KEYS["bfl"])
    inner = ValueError(f"inner {KEYS['bfl']}")
    inner.body = {"error": {"message": KEYS["bfl"]}}  # type: ignore[attr-defined]
    middle = KeyError(KEYS["bfl"])
    middle.__context__ = inner
    group = ExceptionGroup("g", [RuntimeError(KEYS["bfl"])])
    outer = RuntimeError(f"outer {KEYS['bfl']}")
    outer.__cause__ = middle
    middle.__cause__ = group
    scrub_exception(outer)
    assert CORE not in "".join(traceback.format_exception(outer)) and CORE not in repr(inner.body)  # type: ignore[attr-defined]


SECRET_NAMES = ["api_key", "bearer", "token", "authorization", "Authorization", "access_token", "x_api_key",
                "password", "auth", "client_secret", "cookie", "signature", "x-goog-api-key", "refresh_token"]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_credential_named_options_are_never_shown(name: str) -> None:
    value = "opaque-" + CORE
    assert is_secret_name(name)
    gen = FakeGenerator()
    router = tryon.Router(plugins=False)
    router.register(gen)
    with pytest.raises(tryon.UnsupportedOptionError) as info:
        router.generate("x", model=gen.model_id, options={name: value})
    assert_clean(info.value, [])
    assert CORE not in repr(info.value.problems) and CORE not in redact(f"later: {value}")
    assert gen.requests == []


@pytest.mark.parametrize("name", ["style", "seed_mode", "steps", "author", "authority", "raw", "safety_tolerance"])
def test_ordinary_option_names_are_not_credentials(name: str) -> None:
    assert not is_secret_name(name)  # (a "key" inside a word, as in "monkey", is masked: the safe side)


# --------------------------------------------------------------------------- pickling every tryon exception


def _instances() -> dict[type, TryOnError]:
    gen = Generation(images=[], model="m", provider="p")
    common = {"provider": "openai", "model": "gpt-image-1.5", "status": 429, "request_id": "req_1"}
    e = errors_module
    return {
        e.TryOnError: e.TryOnError("plain"),
        e.ValidationError: e.ValidationError("invalid"),
        e._ProblemsError: e._ProblemsError([Problem("size", "1x1", "too small")], model="m"),
        e.UnsupportedOptionError: e.UnsupportedOptionError([Problem("size", "1x1", "m does not", ["a", "b"])],
                                                           model="m"),
        e.InvalidOptionError: e.InvalidOptionError([Problem("n", 0, "n=0"), Problem("seed", -1, "seed")]),
        e.UnknownModelError: e.UnknownModelError("gpt-imag", ["gpt-image-1"], ["gpt-image-1"]),
        e.MissingCredentialsError: e.MissingCredentialsError("openai", ["OPENAI_API_KEY"]),
        e.InvalidInputError: e.InvalidInputError("bad image", input_name="a.png"),
        e.UnsafeURLError: e.UnsafeURLError("refused", input_name="http://x/"),
        e.ProviderError: e.ProviderError("failed", **common),
        e.AuthenticationError: e.AuthenticationError("auth", **common),
        e.PermissionDeniedError: e.PermissionDeniedError("denied", **common),
        e.RateLimitError: e.RateLimitError("slow down", retry_after=86400.0, **common),
        e.ContentPolicyError: e.ContentPolicyError("moderated", **common),
        e.ProviderTimeoutError: e.ProviderTimeoutError("late", **common),
        e.ServiceUnavailableError: e.ServiceUnavailableError("down", retryable=False, **common),
        e.InvalidResponseError: e.InvalidResponseError("broken", **common),
        e.ProviderRequestError: e.ProviderRequestError("rejected", **common),
        e.ModelRetiredError: e.ModelRetiredError("gone", successors=["gpt-image-2"], **common),
        e.NoModelAvailableError: e.NoModelAvailableError([tryon.Skip("m", "why", None)]),
        e.NoModelFitsError: e.NoModelFitsError([tryon.Skip("m", "why", None)]),
        e.PartialResultError: e.PartialResultError(gen, [e.ProviderTimeoutError("late", **common)]),
        e.PluginError: e.PluginError("bad plugin"),
        CallCancelled: CallCancelled("cancelled"),
        JobFileError: JobFileError("jobs.jsonl", [(3, "n must be a whole number"), (0, "empty")]),
        e.BudgetExceededError: e.BudgetExceededError("over budget", estimate_usd=1.5, max_cost=1.0),
        FolderLockedError: FolderLockedError("out/ is locked", {"pid": 123, "host": "h"}),
        ModelsFileError: ModelsFileError("unknown field", file="models.toml", line=3, field="sizez", model="m"),
    }


def _all_error_classes() -> set[type]:
    import importlib
    import pkgutil

    import tryon_fal
    import tryon_flux
    import tryon_gemini
    import tryon_openai
    import tryon_replicate

    # every module, whatever ran before
    for package in (tryon, tryon_openai, tryon_flux, tryon_gemini, tryon_replicate, tryon_fal):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
    found: set[type] = set()
    stack = [TryOnError]
    while stack:
        cls = stack.pop()
        found.add(cls)
        stack.extend(c for c in cls.__subclasses__() if c.__module__.startswith(("tryon", "tryon_")))
    return found


def test_every_tryon_exception_class_is_covered() -> None:
    assert _all_error_classes() <= set(_instances())


@pytest.mark.parametrize("cls", list(_instances()), ids=lambda c: c.__name__)
def test_every_tryon_exception_pickles_with_its_message_and_attributes(cls: type) -> None:
    err = _instances()[cls]
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls and str(back) == str(err) and back.args == err.args
    for name, value in vars(err).items():
        if name == "generation":
            continue  # compared below
        assert getattr(back, name) == value or repr(getattr(back, name)) == repr(value), name
    if isinstance(err, errors_module.ProviderError):
        assert back.retryable == err.retryable and back.status == err.status and back.request_id == "req_1"


def test_a_pickled_error_carries_no_key() -> None:
    remember(KEYS["openai"])
    err = tryon.AuthenticationError(f"bad key {KEYS['openai']}", provider="openai")
    err.__cause__ = RuntimeError(KEYS["openai"])
    assert CORE not in pickle.dumps(err).decode("latin-1")
    back: Any = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_openai_redirects_are_not_followed_with_the_key(status: int) -> None:
    with SlowServer() as api, SlowServer() as other:
        other.routes["/v1/images/generations"] = Behaviour(200, {"Content-Type": "application/json"},
                                                          b'{"data": []}')
        api.routes["/v1/images/generations"] = Behaviour(
            status, {"Location": other.url("/v1/images/generations")}, b"")
        router = tryon.Router(settings={"openai": {"base_url": api.base_url + "/v1", "api_key": KEYS["openai"],
                                                   "max_retries": 0}})
        with pytest.raises(tryon.InvalidResponseError, match="redirect"):
            router.generate("x", model="gpt-image-1.5")
        assert other.hits["/v1/images/generations"] == 0
