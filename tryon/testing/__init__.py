"""Test helpers for tryon: local provider emulators and fakes.

Exports are lazy (PEP 562) so ``import tryon.testing`` imports neither Pillow
nor the ``openai`` SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tryon.lazy import lazy_exports

if TYPE_CHECKING:
    from tryon.testing.bfl_emulator import BFLEmulator
    from tryon.testing.gemini_emulator import GeminiEmulator
    from tryon.testing.openai_emulator import OpenAIEmulator
    from tryon.testing.server import EmulatorServer, RecordedFile, RecordedRequest

__all__ = [
    "BFLEmulator",
    "EmulatorServer",
    "FakeGenerator",
    "FakeTryOnGenerator",
    "GeminiEmulator",
    "GeneratorConformance",
    "OpenAIEmulator",
    "RecordedFile",
    "RecordedRequest",
    "Requirements",
]

_LAZY = {
    "EmulatorServer": "tryon.testing.server",
    "RecordedFile": "tryon.testing.server",
    "RecordedRequest": "tryon.testing.server",
    "OpenAIEmulator": "tryon.testing.openai_emulator",
    "BFLEmulator": "tryon.testing.bfl_emulator",
    "GeminiEmulator": "tryon.testing.gemini_emulator",
    "FakeGenerator": "tryon.testing.fake",
    "FakeTryOnGenerator": "tryon.testing.fake",
    "GeneratorConformance": "tryon.testing.conformance",
    "Requirements": "tryon.testing.conformance",
}


__getattr__ = lazy_exports(__name__, _LAZY)
