"""Benchmarks of tryon against the local emulator, next to the raw SDK (not collected by pytest).

Run with ``python -m benchmarks`` (or ``python benchmarks/run.py``); results go to
``docs/performance.md``.
"""
