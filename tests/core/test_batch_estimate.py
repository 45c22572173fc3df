"""A jobs file estimated before anything is sent: priced jobs totalled, unpriced ones named."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import tryon
from tryon.batch import estimate_batch
from tryon.pricing import PerImage, Price
from tryon.provenance import Source
from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator


def test_a_batch_estimate_totals_the_priced_jobs_and_names_the_unpriced(tmp_path: Path) -> None:
    price = Price(rates=PerImage(flat=0.04), sources=Source(where="https://example.test", checked="2026-12-01"))
    router = tryon.Router(plugins=False)
    router.register(FakeGenerator("priced", capabilities=attrs.evolve(FAKE_CAPABILITIES, price=price),
                                  price_per_image=None))
    router.register(FakeGenerator("unpriced", price_per_image=None))
    jobs = tmp_path / "jobs.jsonl"
    lines = [{"prompt": "a", "model": "priced", "options": {"n": 6}},  # two calls of 4 + 2
             {"prompt": "b", "model": "unpriced", "name": "shoe"},
             {"prompt": "c", "model": ["priced", "unpriced"]}]
    jobs.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    est = estimate_batch(jobs, router=router)
    assert est.usd == pytest.approx(0.04 * 7) and est.n == 8 and est.calls == 4
    assert est.unpriced == 1 and est.unpriced_items == ("shoe: unpriced",) and not est.upper_bound
    assert len(est.parts) == 3 and "1 unpriced (shoe: unpriced)" in est.basis
    assert router.get("priced").requests == []  # nothing was sent
