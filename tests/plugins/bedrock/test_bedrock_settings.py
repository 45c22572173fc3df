"""Where the Bedrock plugin finds its region, and what it says when something is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from tryon_bedrock import BedrockSettings

from tryon.errors import InvalidOptionError, MissingCredentialsError

pytest.importorskip("boto3")


@pytest.mark.parametrize("env, expected", [
    ({"AWS_REGION": "eu-west-1"}, "eu-west-1"),
    ({"AWS_DEFAULT_REGION": "ap-northeast-1"}, "ap-northeast-1"),
    ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"}, "eu-west-1"),
])
def test_region_from_the_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert BedrockSettings().resolved_region() == expected
    assert BedrockSettings(region="us-east-1").resolved_region() == "us-east-1"  # the setting wins


def test_region_and_credentials_from_a_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile shop]\nregion = eu-west-1\n")
    credentials.write_text("[shop]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = s3cr3t\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    settings = BedrockSettings(profile="shop")
    assert settings.resolved_region() == "eu-west-1"
    settings.check_credentials()
    with pytest.raises(MissingCredentialsError, match="AWS_PROFILE"):
        BedrockSettings().check_credentials()  # the default profile has none


def test_bearer_token_counts_as_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-0123456789")
    BedrockSettings().check_credentials()


def test_bad_settings_are_refused() -> None:
    for changes in ({"region": ""}, {"timeout": -1}, {"max_retries": -1}, {"deadline": 0}, {"colour": "red"}):
        with pytest.raises(InvalidOptionError):
            BedrockSettings.build(**changes)
    assert BedrockSettings(timeout=(5, 600), deadline=120).read_timeout == 120


def test_the_pytest_fixture_points_applications_at_the_emulator(bedrock_emulator: object) -> None:
    import tryon

    result = tryon.generate("a fox", model="nova-canvas", allow_retired=True)  # the default router, unchanged code
    assert len(result.images) == 1
    assert bedrock_emulator.requests[-1].path.endswith("/invoke")  # type: ignore[attr-defined]


@pytest.mark.parametrize("line", ["role_arn = arn:aws:iam::123456789012:role/shop\nsource_profile = base",
                                  "sso_session = corp\nsso_account_id = 123456789012\nsso_role_name = shop",
                                  "credential_process = /bin/false"])
def test_profiles_whose_credentials_come_at_call_time_pass_without_calling_anything(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, line: str) -> None:
    config = tmp_path / "config"
    config.write_text(f"[profile shop]\nregion = us-east-1\n{line}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    BedrockSettings(profile="shop").check_credentials()  # no STS, SSO or process call (the socket guard holds)
