"""Start-up: ``import tryon`` and ``tryon --help`` next to a bare interpreter, in fresh processes.

Also checks, in a fresh process, that ``import tryon`` imports neither a provider SDK
(``openai``) nor Pillow: they load on first use.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.common import Result, child_env, median, run_python, timed

COMMANDS = {
    "bare interpreter (python -c pass)": [sys.executable, "-c", "pass"],
    "import tryon": [sys.executable, "-c", "import tryon"],
    "tryon --help": [sys.executable, "-m", "tryon.cli", "--help"],
}
HEAVY = ("openai", "PIL", "httpx", "httpx2", "pydantic", "requests")
CHECK = f"""
import json, sys
import tryon
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))
"""


def _time(command: list[str]) -> float:
    env = child_env()
    return timed(lambda: subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True))


def run(quick: bool = False) -> list[Result]:
    repeats = 7 if quick else 21
    for command in COMMANDS.values():
        _time(command)  # warm the file-system cache and bytecode
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeats):
        for name, command in COMMANDS.items():
            times[name].append(_time(command))
    bare = median(times["bare interpreter (python -c pass)"])
    results = []
    for i, name in enumerate(COMMANDS):
        extra = f"+{(median(times[name]) - bare) * 1000:.0f} ms over a bare interpreter; " if i else ""
        results.append(Result(f"start-up: {name}", f"{median(times[name]) * 1000:.0f} ms", "—", None,
                              f"{extra}median of {repeats} fresh processes"))
    imported = json.loads(run_python(CHECK))
    results.append(Result("`import tryon` imports no provider SDK and not Pillow",
                          "none of " + ", ".join(HEAVY) if not imported else "imports " + ", ".join(imported),
                          "none imported", not imported, "checked in a fresh process (sys.modules)"))
    return results
