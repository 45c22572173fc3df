"""Nova Canvas's declaration against its authorities: the conformance kit, sources, boto3's service model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bedrock_helpers import NOVA, make_router
from tryon_bedrock import NOVA_CANVAS
from tryon_bedrock.models import STYLES

import tryon
from tryon.testing import bedrock_emulator
from tryon.testing.bedrock_emulator import BedrockEmulator
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.provenance import missing_sources

pytest.importorskip("boto3")


class TestNovaCanvasConformance(GeneratorConformance):
    require_provenance = True
    input_size = (512, 512)  # Nova Canvas takes input images of at least 320 px a side
    person_size = (512, 768)
    garment_size = (512, 512)

    @pytest.fixture(autouse=True)
    def _credentials(self, aws: dict[str, str]) -> None:
        return None

    @pytest.fixture
    def model(self) -> str:
        return NOVA

    @pytest.fixture
    def emulator(self) -> Iterator[BedrockEmulator]:
        with BedrockEmulator() as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: BedrockEmulator) -> tryon.Router:
        return make_router(emulator)


def test_every_declared_fact_has_a_source() -> None:
    assert missing_sources(NOVA_CANVAS, also=("model", "price")) == []
    assert NOVA_CANVAS.sources.sources_for("try_on")
    unverified = set(NOVA_CANVAS.sources.unverified())
    assert {"lifecycle", "price", "sizes", "seed", "max_prompt_length"} <= unverified  # the conservative readings


def test_boto3_service_model_has_the_operation_the_plugin_calls() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    operation = model.operation_model("InvokeModel")
    assert operation.http["method"] == "POST" and operation.http["requestUri"].startswith("/model/{modelId}/invoke")
    members = operation.input_shape.members
    assert {"modelId", "body", "contentType", "accept"} <= set(members)
    assert model.signing_name == "bedrock"  # what the emulator checks the SigV4 scope against
    errors = {shape.name for shape in operation.error_shapes}
    for code in ("ValidationException", "ThrottlingException", "ServiceUnavailableException",
                 "ModelTimeoutException", "ModelErrorException", "AccessDeniedException",
                 "ResourceNotFoundException", "InternalServerException", "ModelNotReadyException"):
        assert code in errors, code


def test_plugin_and_emulator_read_the_same_vocabulary() -> None:
    assert set(STYLES) == bedrock_emulator.STYLES
    assert NOVA_CANVAS.max_images_per_call == 5
    assert NOVA_CANVAS.try_on is not None and NOVA_CANVAS.try_on.prompt == "forbidden"


def test_model_details_show_the_lifecycle_and_price() -> None:
    from click.testing import CliRunner

    from tryon.cli.app import build_cli

    result = CliRunner().invoke(build_cli(), ["models", "nova-canvas"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2026-09-30" in result.output and "0.04" in result.output



def test_the_cli_lists_and_serves_the_emulator() -> None:
    from click.testing import CliRunner

    from tryon.cli.app import build_cli
    from tryon.cli.emulator import available_emulators

    assert "bedrock" in available_emulators()
    result = CliRunner().invoke(build_cli(), ["emulator", "--help"], catch_exceptions=False)
    assert "bedrock" in result.output


def test_importing_the_plugin_imports_no_sdk() -> None:
    import subprocess
    import sys

    code = "import sys, tryon_bedrock; print(sorted(m for m in ('boto3', 'botocore', 'PIL') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
