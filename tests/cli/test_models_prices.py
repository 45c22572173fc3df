"""``tryon models`` shows each model's price with its source and date, or says it is unknown."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tryon.cli.app import build_cli


def invoke(*args: str) -> str:
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False).stdout


def test_the_table_has_a_price_column() -> None:
    rows = {line.split()[0]: line for line in invoke("models").splitlines()[2:]}
    assert rows["flux-2-pro"].rstrip().endswith("$0.03 + $0.015/MP")
    assert rows["flux-kontext-max"].rstrip().endswith("$0.08/image")
    assert rows["gemini-2.5-flash-image"].rstrip().endswith("~$0.0387/image")  # approximate
    assert rows["chatgpt-image-latest"].rstrip().endswith("unknown")


def test_one_model_in_full_names_the_price_source_and_date() -> None:
    detail = invoke("models", "gpt-image-1-mini")
    price = next(line for line in detail.splitlines() if line.startswith("Price:"))
    assert "text in $2, image in $2.5, image out $8 per 1M tokens" in price
    assert "checked 2026-12-01" in price and "developers.openai.com" in price
    assert "unknown (no published price declared)" in invoke("models", "chatgpt-image-latest")
    data = json.loads(invoke("models", "flux-2-pro", "--json"))
    assert data["price"]["kind"] == "PerMegapixel" and data["price"]["credit_usd"] == 0.01
    assert data["price"]["upper_bound"] and data["price"]["sources"][0]["where"].startswith("https://docs.bfl.ai")
    assert json.loads(invoke("models", "chatgpt-image-latest", "--json"))["price"] is None
