"""How the Bedrock plugin reaches Amazon Bedrock: region, profile, endpoint, timeouts, retries.

Credentials are never a tryon setting: boto3 finds them through the standard AWS chain
(environment variables, the shared credentials and config files with ``profile``, SSO,
container and instance roles, ``AWS_BEARER_TOKEN_BEDROCK``). tryon never reads, stores or logs
them; it only asks botocore whether some source exists (:meth:`BedrockSettings.check_credentials`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import attrs

from tryon.errors import InvalidOptionError, MissingCredentialsError, Problem
from tryon.provider_settings import evolve_settings, non_negative_int, positive, timeout

__all__ = ["CREDENTIAL_SOURCES", "PROVIDER", "REGION_ENVS", "BedrockSettings"]

PROVIDER = "bedrock"
#: Looked up in this order when ``region`` is not set (boto3 itself reads only AWS_DEFAULT_REGION and the
#: profile; AWS_REGION is the name the other AWS SDKs and Lambda use, so tryon reads it first).
REGION_ENVS = ("AWS_REGION", "AWS_DEFAULT_REGION")
#: What the standard chain reads, named in the error when none of it is there.
CREDENTIAL_SOURCES = ("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK")
#: Providers of the chain that read only local files and variables (the others call STS, SSO, a process,
#: instance metadata or a container endpoint: they are judged from their configuration instead).
_LOCAL_PROVIDERS = ("env", "shared-credentials-file", "config-file", "ec2-credentials-file", "boto-config")
#: Profile keys (and variables) that mean credentials come from such a provider at call time.
_DEFERRED_KEYS = ("role_arn", "sso_start_url", "sso_session", "credential_process", "web_identity_token_file",
                  "login_session")
_DEFERRED_ENVS = ("AWS_BEARER_TOKEN_BEDROCK", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                  "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE")


def _optional_text(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"{attribute.name} must be a non-empty string or None, not {value!r}")


@attrs.frozen(kw_only=True)
class BedrockSettings:
    """Settings of the Bedrock generators (``configure(**settings)`` / ``Router(settings={"bedrock": ...})``).

    ``region``: the AWS Region (else ``AWS_REGION``, ``AWS_DEFAULT_REGION`` or the profile's);
    ``profile``: a named profile of the shared AWS files (else ``AWS_PROFILE``); ``endpoint_url``:
    another endpoint (a VPC endpoint, a proxy, the local emulator; else botocore's own
    ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``/``AWS_ENDPOINT_URL``). ``timeout`` is the connect and
    read timeout of each attempt (AWS asks for a read timeout of at least 300 s for Nova Canvas);
    ``deadline`` bounds a whole call, retries and their waits included (each read is also capped
    at it); ``max_retries`` is how often botocore's standard retry mode retries a throttled,
    5xx or failed connection attempt.
    """

    region: str | None = attrs.field(default=None, validator=_optional_text)
    profile: str | None = attrs.field(default=None, validator=_optional_text)
    endpoint_url: str | None = attrs.field(default=None, validator=_optional_text)
    timeout: float | tuple[float, float] = attrs.field(default=(10.0, 300.0), validator=timeout)
    deadline: float = attrs.field(default=300.0, validator=positive)
    max_retries: int = attrs.field(default=2, validator=non_negative_int)

    @classmethod
    def build(cls, base: BedrockSettings | None = None, **changes: Any) -> BedrockSettings:
        """*base* with *changes*; unknown names or bad values raise ``InvalidOptionError``."""
        if any(name in changes for name in ("api_key", "aws_access_key_id", "aws_secret_access_key")):
            raise InvalidOptionError([Problem(
                "api_key", "<credential>",
                "Bedrock credentials are not tryon settings: boto3 reads them from the standard AWS chain "
                "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, SSO or a role); set profile=... to pick one")])
        return evolve_settings(cls, base, PROVIDER, **changes)

    @property
    def connect_timeout(self) -> float:
        return float(self.timeout[0] if isinstance(self.timeout, tuple) else self.timeout)

    @property
    def read_timeout(self) -> float:
        """The read timeout of each attempt, never above the deadline."""
        read = self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout
        return float(min(read, self.deadline))

    def session(self) -> Any:
        """A fresh boto3 session for ``profile`` (boto3's own chain picks region and credentials)."""
        import boto3
        import botocore.exceptions

        try:
            return boto3.Session(profile_name=self.profile, region_name=self.wanted_region())
        except botocore.exceptions.ProfileNotFound:
            raise InvalidOptionError([Problem("profile", self.profile, f"the AWS profile {self.profile!r} is not "
                                              "in the shared AWS config or credentials file")]) from None

    def wanted_region(self) -> str | None:
        """The region set or named in the environment (``None``: the profile's, if any, decides)."""
        return self.region or next((os.environ[n].strip() for n in REGION_ENVS if os.environ.get(n, "").strip()),
                                   None)

    def resolved_region(self, session: Any | None = None) -> str:
        """The Region requests go to; ``InvalidOptionError`` naming where it is looked for when there is none."""
        region = (session or self.session()).region_name
        if not region:
            raise InvalidOptionError([Problem(
                "region", None, "no AWS Region for Bedrock: set region=... (Router(settings={'bedrock': "
                "{'region': 'us-east-1'}})), AWS_REGION, or a region in your AWS profile (nothing was sent)")])
        return str(region)

    def check_credentials(self) -> None:
        """Raise ``MissingCredentialsError`` when no credential source of the AWS chain can be seen.

        Only the sources that read local files and variables are asked. Sources that would call
        STS, SSO, a ``credential_process``, a container endpoint or instance metadata are judged
        from their configuration (a profile with ``role_arn``, ``sso_session``, ...; the
        ``AWS_CONTAINER_CREDENTIALS_*`` variables; an EC2 machine): the check passes and the call
        itself finds out. Nothing is sent, nothing is run and no secret is kept.
        """
        session = self.session()
        if any(os.environ.get(name, "").strip() for name in _DEFERRED_ENVS) or _on_ec2():
            return
        scoped = session._session.get_scoped_config()
        if any(scoped.get(key) for key in _DEFERRED_KEYS):
            return
        resolver = session._session.get_component("credential_provider")
        for provider in list(resolver.providers):
            if provider.METHOD not in _LOCAL_PROVIDERS:
                with contextlib.suppress(Exception):  # botocore's chain changed: nothing to remove
                    resolver.remove(provider.METHOD)
        if resolver.load_credentials() is None:
            raise MissingCredentialsError(PROVIDER, CREDENTIAL_SOURCES, argument="profile")


def _on_ec2() -> bool:
    """Whether this machine says (in its DMI data, no network) that it is an EC2 instance whose
    instance metadata botocore may ask (not when ``AWS_EC2_METADATA_DISABLED`` is true)."""
    if os.environ.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "true":
        return False
    for name in ("sys_vendor", "board_asset_tag", "product_uuid"):
        try:
            text = Path("/sys/devices/virtual/dmi/id", name).read_text(errors="replace").strip().lower()
        except OSError:
            continue
        if "amazon" in text or text.startswith("i-") or text.startswith("ec2"):
            return True
    return False

