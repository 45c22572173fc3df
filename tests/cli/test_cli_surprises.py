"""The CLI never surprises: prompt forms, JSON errors, streaming, Ctrl-C, names, emulators and demos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from tryon.cli.app import build_cli


def invoke(*args: str) -> Result:
    return CliRunner().invoke(build_cli(plugins=False), list(args))


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (512, 512), (180, 120, 90)).save("person.png")
    return tmp_path


def test_generate_takes_the_prompt_as_argument_or_option(inputs: Path, openai_emulator: Any) -> None:
    assert invoke("generate", "A fox", "-o", "a").exit_code == 0
    assert invoke("generate", "--prompt", "A fox", "-o", "b").exit_code == 0
    assert [r.params["prompt"] for r in openai_emulator.requests] == ["A fox", "A fox"]
    both = invoke("generate", "A fox", "--prompt", "A cat")
    assert both.exit_code == 2 and "give the prompt once" in both.stderr
    none = invoke("generate")
    assert none.exit_code == 2 and "missing the prompt" in none.stderr


def test_edit_takes_the_prompt_as_option_or_last_argument(inputs: Path, openai_emulator: Any) -> None:
    assert invoke("edit", "person.png", "--prompt", "Make it red", "-o", "a").exit_code == 0
    assert invoke("edit", "person.png", "Make it red", "-o", "b").exit_code == 0
    assert [r.params["prompt"] for r in openai_emulator.requests] == ["Make it red", "Make it red"]
    missing = invoke("edit", "person.png")
    assert missing.exit_code == 2 and "missing the prompt" in missing.stderr
    assert len(openai_emulator.requests) == 2


def test_a_misspelt_option_gets_a_did_you_mean(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "x", "--option", "sizee=1024x1024", "--dry-run")
    assert result.exit_code == 2 and "did you mean 'size'?" in result.stderr


@pytest.mark.parametrize("args", [
    ["generate", "x", "--size", "999x999", "--json"],
    ["generate", "x", "-m", "no-such-model", "--json"],
    ["edit", "missing.png", "--prompt", "x", "--json"],
    ["models", "--provider", "bfll", "--json"],
])
def test_json_failures_print_a_json_error_document_and_keep_the_exit_code(inputs: Path, openai_emulator: Any,
                                                                       args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2 and data["sent"] is False and data["error"]["message"]
    assert result.stderr.startswith("error: ")
    assert openai_emulator.requests == []


def test_a_provider_failure_with_json_says_so(inputs: Path, openai_emulator: Any) -> None:
    openai_emulator.fail_next(400, times=1)
    result = invoke("generate", "x", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["provider"] == "openai"


def test_unknown_provider_names_list_the_providers(inputs: Path) -> None:
    result = invoke("models", "--provider", "bfll")
    assert result.exit_code == 2 and "known providers: bedrock, bfl, " in result.stderr
    assert all(name in result.stderr.split("known providers:")[1] for name in ("bedrock", "bfl", "gemini", "openai"))
    assert "did you mean 'bfl'" in result.stderr
    flux = invoke("models", "--provider", "flux")
    assert flux.exit_code == 0 and "flux-2-pro" in flux.stdout


def test_stream_reports_the_final_image_not_the_first_event(inputs: Path, openai_emulator: Any) -> None:
    result = invoke("generate", "x", "--stream", "-o", "s")
    assert result.exit_code == 0, result.output
    text = result.stderr
    assert "final image received" in text
    assert text.index("partial image 1") < text.index("final image received")


def test_ctrl_c_during_a_multi_call_generate_keeps_the_images_that_arrived(inputs: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import tryon
    from tryon.testing.fake import FakeGenerator

    def router_with_fake(params: dict[str, Any], models: Any) -> tryon.Router:
        router = tryon.Router(plugins=False)
        router.register(FakeGenerator("fake-1"))
        return router

    from tryon import fanout

    real = fanout.run_sync

    def interrupted(gen: Any, request: Any, on_part: Any) -> Any:
        part = real(gen, request.copy_with(n=4), None)
        on_part(part)  # the first call of the fan-out answered, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr("tryon.cli.generate._router", router_with_fake)
    monkeypatch.setattr(fanout, "run_sync", interrupted)
    result = invoke("generate", "x", "-m", "fake-1", "-n", "8", "-o", "out")
    assert result.exit_code == 130
    assert len(list(Path("out").glob("*.png"))) == 4
    assert "the 4 image(s) that had arrived were saved" in result.stderr


def test_one_naming_rule_readable_in_any_script(inputs: Path, openai_emulator: Any) -> None:
    assert invoke("generate", "Собака в шляпе", "-o", "n").exit_code == 0
    assert [p.name for p in Path("n").iterdir()] == ["собака-в-шляпе.png"]


def test_emulator_help_lists_providers_and_accepts_flux() -> None:
    result = invoke("emulator", "--help")
    assert all(item in result.stdout for item in ("bfl (also: flux)", "gemini (also: google)", "openai"))
    bad = invoke("emulator", "--provider", "nope")
    assert bad.exit_code == 2 and "available: bedrock, bfl, " in bad.stderr
    assert all(name in bad.stderr.split("available:")[1] for name in ("bedrock", "bfl", "fal", "gemini", "openai"))


def test_the_bfl_emulator_polls_on_the_host_the_client_used() -> None:
    import requests

    from tryon.testing.bfl_emulator import BFLEmulator

    with BFLEmulator() as emu:
        port = emu.url.rsplit(":", 1)[-1]
        for host in ("localhost", "127.0.0.1"):
            submit = requests.post(f"http://{host}:{port}/v1/flux-2-pro", json={"prompt": "a fox"},
                                   headers={"x-key": "k"}, timeout=10).json()
            assert submit["polling_url"].startswith(f"http://{host}:{port}/")
            for _ in range(50):  # Pending, then Ready with the result's delivery URL on the same host
                answer = requests.get(submit["polling_url"], headers={"x-key": "k"}, timeout=10).json()
                if answer.get("status") == "Ready":
                    break
            assert answer["result"]["sample"].startswith(f"http://{host}:{port}/delivery/")
        evil = requests.post(f"{emu.url}/v1/flux-2-pro", json={"prompt": "a fox"},
                             headers={"x-key": "k", "Host": "evil.example:1"}, timeout=10).json()
        assert evil["polling_url"].startswith(emu.url)


@pytest.mark.parametrize("provider", ["flux", "gemini"])
def test_demo_shows_each_providers_emulator(tmp_path: Path, provider: str) -> None:
    result = invoke("demo", "--provider", provider, "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "contact sheet:" in result.stdout and "requests went to the" in result.stderr
    assert len(list(tmp_path.glob("*edit*"))) == 1


def test_the_last_progress_line_is_printed_once_in_logs() -> None:
    import io

    from tryon.batch import Progress

    stream = io.StringIO()
    progress = Progress(stream, interval=0.0, tty=False)
    progress.start(2)
    progress.advance(True)
    progress.advance(True)
    progress.finish()
    finals = [line for line in stream.getvalue().splitlines() if line.startswith("batch: 2/2 done")]
    assert len(finals) == 1


def test_gpt_image_py_names_no_flag_it_does_not_have(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location("gpt_image", Path(__file__).parents[2] / "gpt_image.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--prompt", "x"]) == 2
    err = capsys.readouterr().err
    assert "set the OPENAI_API_KEY environment variable" in err and "--api-key" not in err


def test_a_rate_limit_cool_down_is_announced(tmp_path: Path) -> None:
    import io

    import tryon
    from tryon.batch import Progress, run_batch
    from tryon.errors import RateLimitError
    from tryon.testing.fake import FakeGenerator

    gen = FakeGenerator("fake-1")
    gen.fail_next(RateLimitError("slow down", retry_after=1.2, provider="fake", retryable=True))
    router = tryon.Router(plugins=False)
    router.register(gen)
    (tmp_path / "jobs.jsonl").write_text('{"prompt": "a", "model": "fake-1"}\n')
    stream = io.StringIO()
    summary = run_batch(tmp_path / "jobs.jsonl", tmp_path / "out", router=router,
                        progress=Progress(stream, tty=False))
    assert summary.succeeded == 1
    assert "rate limited: every worker pauses for 1s" in stream.getvalue()
