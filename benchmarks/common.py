"""What the benchmarks share: an emulator in its own process, routers, timing and results.

The emulator runs in a separate process (``python -m tryon.testing.openai_emulator``) so
that its request handling and image rendering do not compete for the measured process's
interpreter lock; the measured side is the same in every comparison.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-key"
#: A small image keeps the emulator's rendering out of the numbers: what is left is HTTP,
#: JSON, base64 and whatever the framework adds.
SMALL = {"model": "gpt-image-2", "size": "1024x640", "quality": "low", "output_format": "jpeg"}


@attrs.frozen
class Result:
    """One row of the results table."""

    name: str
    measured: str
    target: str
    passed: bool | None
    notes: str = ""
    details: dict[str, Any] = attrs.field(factory=dict)

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "info"}[self.passed]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this checkout importable, only the OpenAI plugin."""
    paths = [str(ROOT), str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), "TRYON_PLUGINS": "openai",
            **extra}


@contextlib.contextmanager
def emulator(latency: float = 0.0, *, photo_like: bool = False, provider: str = "openai") -> Iterator[str]:
    """Run the OpenAI emulator in its own process; yields its base URL.

    ``photo_like`` serves images as large as real photos (:mod:`benchmarks.photo_emulator`), from
    the emulator of *provider* (``openai``, ``gemini`` or ``bfl``: those two only photo-like).
    """
    module = "benchmarks.photo_emulator" if photo_like else "tryon.testing.openai_emulator"
    command = [sys.executable, "-m", module, "--latency", str(latency)]
    if provider != "openai":
        command += ["--provider", provider]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=child_env())
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"the emulator did not start: {line!r}")
        yield line.rsplit(" ", 1)[-1].strip()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def gpt_router(base_url: str) -> Any:
    """A router whose GPT models talk to the emulator at *base_url* (no SDK retries)."""
    from tryon_openai import MODELS, OpenAIImageGenerator

    import tryon

    router = tryon.Router(plugins=False)
    for model_id, capabilities in MODELS.items():
        router.register(OpenAIImageGenerator(model_id, capabilities).configure(
            base_url=base_url, api_key=API_KEY, max_retries=0, timeout=60))
    return router


def openai_client(base_url: str) -> Any:
    """The raw SDK client the framework is compared with (same settings)."""
    import openai

    return openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0, timeout=60)


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def _status(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def rss_mark() -> int:
    """Start measuring peak memory: resets the peak resident set (Linux), returns the current one."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset VmHWM to the current RSS
    except OSError:
        pass
    current = _status("VmRSS")
    if current is not None:
        return current
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss_peak_growth(mark: int) -> int:
    """Bytes the peak resident set grew since :func:`rss_mark` (VmHWM; ``ru_maxrss`` elsewhere,
    which on Linux also carries the peak of the process before ``exec``)."""
    peak = _status("VmHWM")
    if peak is None:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return max(0, peak - mark)


def run_python(code: str, *, timeout: float = 300) -> str:
    """Run *code* in a fresh interpreter (this checkout importable); returns its stdout."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env(),
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout
