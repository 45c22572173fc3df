"""Lifecycle in the router: status from the dates, retired models refused before sending, opt-ins,
deprecation warnings, preference lists and the "retiring soon" filter."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import attrs
import pytest

import tryon
import tryon.router
from tryon import Lifecycle
from tryon.errors import InvalidOptionError, ModelRetiredError, NoModelAvailableError
from tryon.lifecycle import SERVES_RETIRED_ENV, parse_horizon, retiring_by, status_on
from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator

D = dt.date
SHUTDOWN = D(2027, 3, 1)
DEPRECATED = D(2026, 12, 1)
LIFE = Lifecycle(status="active", deprecated_on=DEPRECATED, shutdown_on=SHUTDOWN, successors=("fresh-2",),
                 note="announced by the provider")


def _router(day: dt.date, *models: tuple[str, Lifecycle],
            **kwargs: Any) -> tuple[tryon.Router, dict[str, FakeGenerator]]:
    router = tryon.Router(plugins=False, today=lambda: day, **kwargs)
    fakes = {}
    for name, life in models:
        fakes[name] = FakeGenerator(name, capabilities=attrs.evolve(FAKE_CAPABILITIES, lifecycle=life))
        router.register(fakes[name])
        tryon.router._warned.discard(name)  # warned once per process: make each test independent
    return router, fakes


@pytest.mark.parametrize(("life", "day", "status"), [
    (LIFE, D(2026, 11, 30), "active"),
    (LIFE, DEPRECATED, "deprecated"),
    (LIFE, D(2027, 2, 28), "deprecated"),
    (LIFE, SHUTDOWN, "retired"),
    (LIFE, D(2030, 1, 1), "retired"),
    (Lifecycle(status="preview", shutdown_on=SHUTDOWN), D(2026, 1, 1), "preview"),
    (Lifecycle(status="preview", shutdown_on=SHUTDOWN), SHUTDOWN, "retired"),
    (Lifecycle(status="retired"), D(2000, 1, 1), "retired"),  # declared retired stays retired
    (Lifecycle(status="deprecated"), D(2000, 1, 1), "deprecated"),
    (Lifecycle(), D(2100, 1, 1), "active"),
])
def test_status_follows_the_dates(life: Lifecycle, day: dt.date, status: str) -> None:
    assert status_on(life, day) == status == life.status_on(day)


def test_a_model_past_its_shutdown_is_refused_before_sending_naming_successors() -> None:
    router, fakes = _router(SHUTDOWN, ("old-1", LIFE))
    with pytest.raises(ModelRetiredError) as err:
        router.generate("x", model="old-1")
    assert isinstance(err.value, ValueError)
    assert err.value.successors == ("fresh-2",) and err.value.status is None
    text = str(err.value)
    assert "shut down on 2027-03-01" in text and "fresh-2" in text and "nothing was sent" in text
    assert "allow_retired=True" in text and SERVES_RETIRED_ENV in text
    assert fakes["old-1"].requests == []
    with pytest.raises(ModelRetiredError):
        router.estimate("x", model="old-1")
    assert any("retired" in reason for reason in router.explain("old-1"))


def test_the_same_model_works_the_day_before() -> None:
    router, fakes = _router(SHUTDOWN - dt.timedelta(days=1), ("old-1", LIFE))
    with pytest.warns(tryon.RetiredModelWarning, match="shuts down on 2027-03-01") as caught:
        gen = router.generate("x", model="old-1")
    assert caught[0].filename == __file__  # points at the caller, not into tryon
    assert gen.warnings[0].code == "model-deprecated" and gen.warnings[0].applied == ("fresh-2",)
    assert len(fakes["old-1"].requests) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        router.generate("x", model="old-1")  # warned once only
        router.generate("x", model="old-1", n=3)


def test_not_yet_deprecated_is_silent() -> None:
    router, _ = _router(DEPRECATED - dt.timedelta(days=1), ("old-1", LIFE))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gen = router.generate("x", model="old-1")
    assert gen.warnings == ()


@pytest.mark.parametrize("opt_in", [
    {"router": {"allow_retired": True}},
    {"router": {"allow_retired": ["old-1"]}},
    {"router": {"allow_retired": "fake"}},  # a provider name
    {"call": True},
    {"setting": True},
    {"setting": ["OLD-1"]},
    {"env": "old-1"},
    {"env": "other, fake"},
])
def test_opting_in_sends_a_retired_model_with_a_notice(opt_in: dict[str, Any],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    router, fakes = _router(SHUTDOWN, ("old-1", LIFE), **opt_in.get("router", {}))
    if "setting" in opt_in:
        router.configure("fake", serves_retired=opt_in["setting"])  # read by the router, not the plugin
    if "env" in opt_in:
        monkeypatch.setenv(SERVES_RETIRED_ENV, opt_in["env"])
    extra = {"allow_retired": True} if "call" in opt_in else {}
    with pytest.warns(tryon.RetiredModelWarning, match="sent anyway"):
        gen = router.generate("x", model="old-1", **extra)
    assert gen.warnings[0].code == "model-retired" and len(fakes["old-1"].requests) == 1
    assert fakes["old-1"].requests[0].options == {}  # allow_retired is not a provider option


@pytest.mark.parametrize("opt_in", [
    {"router": {"allow_retired": ["other-model"]}},
    {"router": {"allow_retired": False}},
    {"env": "other-provider"},
    {"setting": False},
])
def test_an_opt_in_for_something_else_does_not_apply(opt_in: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    router, fakes = _router(SHUTDOWN, ("old-1", LIFE), **opt_in.get("router", {}))
    if "setting" in opt_in:
        router.configure("fake", serves_retired=opt_in["setting"])
    if "env" in opt_in:
        monkeypatch.setenv(SERVES_RETIRED_ENV, opt_in["env"])
    with pytest.raises(ModelRetiredError):
        router.generate("x", model="old-1")
    assert fakes["old-1"].requests == []


def test_a_per_call_false_overrides_the_router_opt_in() -> None:
    router, _ = _router(SHUTDOWN, ("old-1", LIFE), allow_retired=True)
    with pytest.raises(ModelRetiredError):
        router.generate("x", model="old-1", allow_retired=False)


def test_preference_lists_skip_retired_models_with_the_reason() -> None:
    router, fakes = _router(SHUTDOWN, ("old-1", LIFE), ("fresh-2", Lifecycle()))
    gen = router.generate("x", model=["old-1", "fresh-2"])
    assert gen.model == "fresh-2" and fakes["old-1"].requests == []
    assert gen.skipped[0].model == "old-1" and gen.skipped[0].reason.startswith("retired:")
    assert isinstance(gen.skipped[0].error, ModelRetiredError)


def test_a_list_of_retired_models_only_says_why_each_was_skipped() -> None:
    router, _ = _router(SHUTDOWN, ("old-1", LIFE), ("old-2", Lifecycle(status="retired")))
    with pytest.raises(NoModelAvailableError) as err:
        router.generate("x", model=["old-1", "old-2"])
    assert [s.model for s in err.value.skipped] == ["old-1", "old-2"]
    assert all("retired" in s.reason for s in err.value.skipped)


def test_the_service_saying_retired_falls_through_to_the_next_model() -> None:
    router, fakes = _router(D(2026, 1, 1), ("old-1", Lifecycle()), ("fresh-2", Lifecycle()))
    fakes["old-1"].fail_next(ModelRetiredError("model not found", provider="fake", model="old-1", status=404))
    gen = router.generate("x", model=["old-1", "fresh-2"])
    assert gen.model == "fresh-2" and "retired" in gen.skipped[0].reason


async def test_async_calls_apply_the_same_lifecycle() -> None:
    router, fakes = _router(SHUTDOWN, ("old-1", LIFE), ("fresh-2", Lifecycle()))
    with pytest.raises(ModelRetiredError):
        await router.agenerate("x", model="old-1")
    gen = await router.agenerate("x", model=["old-1", "fresh-2"])
    assert gen.model == "fresh-2" and fakes["old-1"].requests == []


def test_supporters_named_in_errors_leave_retired_models_out() -> None:
    big = attrs.evolve(FAKE_CAPABILITIES, lifecycle=LIFE, qualities={"ultra"})
    router, _ = _router(SHUTDOWN, ("fresh-2", Lifecycle()))
    router.register(FakeGenerator("old-ultra", capabilities=big))
    with pytest.raises(tryon.UnsupportedOptionError) as err:
        router.generate("x", model="fresh-2", quality="ultra")
    assert "old-ultra" not in str(err.value)


@pytest.mark.parametrize(("value", "expected"), [
    ("90d", D(2027, 3, 1)), ("30d", D(2026, 12, 31)), ("2w", D(2026, 12, 15)), ("0d", D(2026, 12, 1)),
    (" 1W ", D(2026, 12, 8)), ("2027-01-31", D(2027, 1, 31)), (10, D(2026, 12, 11)), (D(2028, 1, 1), D(2028, 1, 1)),
])
def test_horizons(value: Any, expected: dt.date) -> None:
    assert parse_horizon(value, day=D(2026, 12, 1)) == expected


@pytest.mark.parametrize("value", ["90", "soon", "3m", "-5d", "2027-13-01", "", -3, True, 2.5, None])
def test_bad_horizons_name_the_accepted_forms(value: Any) -> None:
    with pytest.raises(InvalidOptionError, match="90d, 30d, 2w or an ISO date"):
        parse_horizon(value, day=D(2026, 12, 1))


def test_models_retiring_lists_what_goes_away_in_the_window() -> None:
    day = D(2026, 12, 1)
    router, _ = _router(
        day, ("old-1", LIFE), ("gone-0", Lifecycle(status="retired", shutdown_on=D(2026, 1, 1))),
        ("later-3", Lifecycle(shutdown_on=D(2027, 12, 1))), ("fresh-2", Lifecycle()))
    assert [m.model for m in router.models(retiring="90d")] == ["old-1"]
    assert [m.model for m in router.models(retiring="2w")] == []
    assert [m.model for m in router.models(retiring="2028-01-01")] == ["later-3", "old-1"]
    assert "gone-0" not in [m.model for m in router.models(include_retired=False)]
    assert retiring_by(LIFE, SHUTDOWN, SHUTDOWN) and not retiring_by(LIFE, SHUTDOWN, SHUTDOWN + dt.timedelta(1))


def test_top_level_models_takes_the_same_filter() -> None:
    assert all(m.capabilities.lifecycle.shutdown_on is not None for m in tryon.models(retiring="3650d"))
    with pytest.raises(InvalidOptionError):
        tryon.models(retiring="soon")
