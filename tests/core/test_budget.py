"""Budgets: max_cost refuses before sending; a batch reserves each call's estimate and stops at the limit."""

from __future__ import annotations

import json
import pickle
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import tryon
from tryon.batch import run_batch
from tryon.budget import Budget, check_max_cost
from tryon.cli.app import build_cli
from tryon.errors import BudgetExceededError, InvalidOptionError, NoModelAvailableError
from tryon.testing.fake import FakeGenerator


def fake_router(*generators: FakeGenerator) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for gen in generators:
        router.register(gen)
    return router


def test_a_request_over_max_cost_is_refused_before_sending() -> None:
    gen = FakeGenerator("fake-1", price_per_image=0.04)
    router = fake_router(gen)
    with pytest.raises(BudgetExceededError, match=r"\$0\.1600 for 4 image\(s\) exceeds max_cost=\$0\.1000"):
        router.generate("x", model="fake-1", n=4, max_cost=0.10)
    assert gen.requests == []
    assert router.generate("x", model="fake-1", n=2, max_cost=0.10).cost_usd == pytest.approx(0.08)


def test_max_cost_through_the_module_api_and_async(openai_emulator: Any) -> None:
    with pytest.raises(BudgetExceededError):
        tryon.generate("x", quality="high", n=4, max_cost=0.001)
    import asyncio

    with pytest.raises(BudgetExceededError):
        asyncio.run(tryon.agenerate("x", quality="high", max_cost=0.0))
    assert openai_emulator.requests == []
    assert len(tryon.generate("x", quality="low", max_cost=1.0).images) == 1


def test_unpriced_models_are_refused_under_a_budget_unless_allowed() -> None:
    gen = FakeGenerator("free-1", price_per_image=None)
    router = fake_router(gen)
    with pytest.raises(BudgetExceededError, match="no price data"):
        router.generate("x", model="free-1", max_cost=1.0)
    assert gen.requests == []
    router.generate("x", model="free-1", max_cost=1.0, allow_unpriced=True)
    router.generate("x", model="free-1")  # no budget: no question
    assert len(gen.requests) == 2


def test_a_preference_list_skips_a_model_over_budget() -> None:
    dear, cheap = FakeGenerator("dear", price_per_image=1.0), FakeGenerator("cheap", price_per_image=0.01)
    router = fake_router(dear, cheap)
    result = router.generate("x", model=["dear", "cheap"], max_cost=0.5)
    assert result.model == "cheap" and dear.requests == []
    assert "over budget" in str(result.skipped[0])
    with pytest.raises(NoModelAvailableError):
        router.generate("x", model=["dear", "cheap"], max_cost=0.001)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "1", True])
def test_invalid_max_cost_values_are_refused(bad: Any) -> None:
    with pytest.raises(InvalidOptionError, match="max_cost"):
        check_max_cost(bad)


def test_budget_error_pickles_with_its_message() -> None:
    exc = BudgetExceededError("too dear", estimate_usd=1.0, max_cost=0.5)
    copy = pickle.loads(pickle.dumps(exc))
    assert str(copy) == "too dear" and copy.estimate_usd == 1.0 and copy.max_cost == 0.5


def test_concurrent_reservations_never_overshoot() -> None:
    budget = Budget(1.0)
    granted: list[Any] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            r = budget.reserve(0.03)
            if r is not None:
                with lock:
                    granted.append(r)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 33 and budget.held == pytest.approx(0.99)
    for r in granted:
        budget.settle(r, 0.02)  # actual cost lower than the estimate: the difference is free again
    assert budget.spent == pytest.approx(0.66) and budget.remaining == pytest.approx(0.34)


def _jobs(path: Path, count: int, n: int = 1) -> Path:
    path.write_text("".join(json.dumps({"prompt": f"p{i}", "model": "fake-1", "options": {"n": n}}) + "\n"
                            for i in range(count)))
    return path


@pytest.mark.parametrize("concurrency", [1, 4, 16])
def test_a_batch_stops_starting_work_when_the_next_job_would_cross_the_budget(tmp_path: Path,
                                                                              concurrency: int) -> None:
    gen = FakeGenerator("fake-1", price_per_image=0.01, latency=0.02)
    summary = run_batch(_jobs(tmp_path / "jobs.jsonl", 20, n=2), tmp_path / "out", router=fake_router(gen),
                        concurrency=concurrency, max_cost=0.07)
    assert len(gen.requests) == 3  # 3 jobs of $0.02; the 4th would make $0.08
    assert summary.cost_usd == pytest.approx(0.06) and summary.cost_usd <= 0.07
    assert summary.budget is not None and summary.budget.stopped
    assert len(summary.budget.not_started) == 17 and summary.pending == 17 and summary.exit_code == 1
    assert summary.budget.left == pytest.approx(0.01)
    assert "stopped before the next job would cross it: 17 job(s) not started" in str(summary.budget)


def test_a_resumed_batch_under_a_budget_runs_what_was_left(tmp_path: Path) -> None:
    gen = FakeGenerator("fake-1", price_per_image=0.01)
    path = _jobs(tmp_path / "jobs.jsonl", 5)
    run_batch(path, tmp_path / "out", router=fake_router(gen), max_cost=0.02)
    summary = run_batch(path, tmp_path / "out", router=fake_router(gen), max_cost=1.0)
    assert summary.skipped == 2 and summary.succeeded == 3 and len(gen.requests) == 5


def test_unpriced_models_in_a_batch_under_a_budget(tmp_path: Path) -> None:
    from tryon.batch import JobFileError

    gen = FakeGenerator("fake-1", price_per_image=None)
    path = _jobs(tmp_path / "jobs.jsonl", 2)
    with pytest.raises(JobFileError, match="fake-1 has no price data"):
        run_batch(path, tmp_path / "out", router=fake_router(gen), max_cost=1.0)
    assert gen.requests == []
    summary = run_batch(path, tmp_path / "out", router=fake_router(gen), max_cost=1.0, allow_unpriced=True)
    assert summary.succeeded == 2 and summary.budget is not None and summary.budget.unpriced_calls == 2


def test_cli_max_cost_on_generate_edit_and_batch(openai_emulator: Any, tmp_path: Path) -> None:
    cli = build_cli(plugins=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["generate", "x", "--quality", "high", "-n", "4", "--max-cost", "0.01",
                                 "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "exceeds max_cost" in result.stderr
    (tmp_path / "p.png").write_bytes(__import__("tryon.testing.synth", fromlist=["x"]).synth_image(
        1024, 1024, "png", transparent=False, seed_text="p"))
    result = runner.invoke(cli, ["edit", str(tmp_path / "p.png"), "--prompt", "x", "--quality", "high",
                                 "--max-cost", "0.001", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "exceeds max_cost" in result.stderr
    dry = runner.invoke(cli, ["generate", "x", "--max-cost", "0.001", "--quality", "high", "--dry-run"])
    assert dry.exit_code == 2 and "exceeds max_cost" in dry.stderr
    (tmp_path / "jobs.jsonl").write_text('{"prompt": "a", "options": {"quality": "low"}}\n' * 1
                                         + '{"prompt": "b", "options": {"quality": "high"}}\n')
    result = runner.invoke(cli, ["batch", str(tmp_path / "jobs.jsonl"), "-o", str(tmp_path / "b"),
                                 "--max-cost", "0.05", "--concurrency", "1"])
    assert result.exit_code == 1, result.output
    assert "budget $0.0500" in result.stdout and "1 job(s) not started" in result.stdout
    assert len(openai_emulator.requests) == 1
