"""When OpenTelemetry is used at all: never imported unless the application did, automatic once a
provider is configured, off with TRYON_OTEL=off; a clear error for instrument() without the extra.

Each case runs in a fresh interpreter (a global provider can be set once per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

RUN_FAKE = """
import json, sys
import tryon
from tryon.testing.fake import FakeGenerator
router = tryon.Router(plugins=False)
router.register(FakeGenerator("fake-1"))
router.generate("x", model="fake-1", n=6, size="256x256")
"""

BLOCK_OTEL = """
import sys
class _Absent:
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, _Absent())
"""

SDK_GLOBAL = """
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
"""


def run(code: str, **env: str) -> dict[str, object]:
    environment = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         env=environment, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_the_extra_nothing_of_opentelemetry_is_imported_and_requests_work() -> None:
    got = run(BLOCK_OTEL + RUN_FAKE + """
from tryon import telemetry
try:
    telemetry.instrument()
    error = None
except ImportError as exc:
    error = str(exc)
print(json.dumps({"otel": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
                  "bridge": "tryon.telemetry.bridge" in sys.modules, "error": error}))
""")
    assert got["otel"] == [] and got["bridge"] is False
    assert "pip install 'tryon[otel]'" in str(got["error"])


def test_installed_but_unused_it_is_never_imported() -> None:
    got = run(RUN_FAKE + """
print(json.dumps({"otel": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
                  "bridge": "tryon.telemetry.bridge" in sys.modules}))
""")
    assert got == {"otel": [], "bridge": False}


def test_imported_without_a_provider_tryon_stays_off() -> None:
    got = run("import opentelemetry.trace, opentelemetry.metrics\n" + RUN_FAKE + """
from tryon import telemetry
print(json.dumps({"instrumented": telemetry.instrumented(),
                  "bridge": "tryon.telemetry.bridge" in sys.modules}))
""")
    assert got == {"instrumented": False, "bridge": False}


def test_a_configured_global_provider_turns_tracing_on_by_itself() -> None:
    got = run(SDK_GLOBAL + RUN_FAKE + """
from tryon import telemetry
names = sorted(s.name for s in exporter.get_finished_spans())
print(json.dumps({"instrumented": telemetry.instrumented(), "names": names}))
""")
    assert got["instrumented"] is True
    assert got["names"] == ["generate_image fake-1", "generate_image fake-1", "tryon.generate"]


@pytest.mark.parametrize("value", ["off", "0", "false"])
def test_tryon_otel_off_keeps_it_off_with_a_provider(value: str) -> None:
    got = run(SDK_GLOBAL + RUN_FAKE + """
from tryon import telemetry
print(json.dumps({"instrumented": telemetry.instrumented(), "spans": len(exporter.get_finished_spans())}))
""", TRYON_OTEL=value)
    assert got == {"instrumented": False, "spans": 0}


def test_explicit_instrument_works_with_the_off_switch_and_uninstrument_sticks() -> None:
    got = run(SDK_GLOBAL + """
from tryon import telemetry
telemetry.instrument()
""" + RUN_FAKE + """
first = len(exporter.get_finished_spans())
telemetry.uninstrument()
router.generate("x", model="fake-1", size="256x256")
print(json.dumps({"first": first, "after": len(exporter.get_finished_spans()),
                  "instrumented": telemetry.instrumented()}))
""", TRYON_OTEL="off")
    assert got == {"first": 3, "after": 3, "instrumented": False}
