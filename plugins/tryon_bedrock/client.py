"""One ``InvokeModel`` call through the official AWS SDK, with tryon's deadline and typed errors.

The client is ``boto3.client("bedrock-runtime")`` built from the settings: region and
credentials from the standard AWS chain, ``endpoint_url`` when set, and a botocore ``Config``
with the connect/read timeouts (each read capped at the deadline) and the standard retry mode
(``max_retries`` retries of throttling, 5xx and connection failures); one client per settings is
shared by every call (see :func:`forget_clients`). A ``before-send`` hook
stops a retry from starting once the call's deadline has passed. botocore exceptions become
tryon's errors (:func:`translate`), scrubbed of anything secret-shaped.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import attrs

from tryon.deadline import Deadline, DeadlineExceeded, current_deadline
from tryon.errors import (
    AuthenticationError,
    ContentPolicyError,
    InvalidOptionError,
    InvalidResponseError,
    MissingCredentialsError,
    ModelRetiredError,
    PermissionDeniedError,
    ProviderError,
    ProviderRequestError,
    ProviderTimeoutError,
    RateLimitError,
    ServiceUnavailableError,
)
from tryon.secrets import scrub_exception

from .settings import CREDENTIAL_SOURCES, PROVIDER, BedrockSettings

__all__ = ["Answer", "BedrockClient", "forget_clients", "translate"]

#: Words of a ValidationException that mean the content filters refused an input.
_FILTER_WORDS = ("content filters", "blocked by our content", "responsible ai", "rai policy")
#: Largest answer body read (the InvokeModel response limit is far below).
_MAX_ANSWER = 200 * 1024 * 1024

_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


@attrs.frozen
class Answer:
    """A decoded ``InvokeModel`` answer: its JSON body and AWS's request id."""

    body: dict[str, Any]
    request_id: str | None


def forget_clients() -> None:
    """Drop the shared boto3 clients: the next call builds new ones and resolves credentials again.

    A client resolves its credentials once, when it is made (refreshable ones, such as SSO or role
    credentials, renew themselves); call this after changing static credentials in the environment.
    """
    with _clients_lock:
        _clients.clear()


def _check_deadline(**_: Any) -> None:
    deadline = current_deadline()
    if deadline is not None and deadline.remaining() <= 0:
        raise DeadlineExceeded(f"the deadline of {deadline.what} passed before the next attempt")


class BedrockClient:
    """``InvokeModel`` for one model with one set of settings (the boto3 client is shared)."""

    def __init__(self, settings: BedrockSettings, model_id: str) -> None:
        self.settings = settings
        self.model_id = model_id

    def _client(self) -> Any:
        settings = self.settings
        key = (settings.profile, settings.wanted_region(), settings.endpoint_url, settings.connect_timeout,
               settings.read_timeout, settings.max_retries)
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                from botocore.config import Config

                session = settings.session()
                region = settings.resolved_region(session)
                config = Config(
                    connect_timeout=settings.connect_timeout,
                    read_timeout=settings.read_timeout,
                    retries={"mode": "standard", "total_max_attempts": settings.max_retries + 1},
                    user_agent_extra="tryon",
                )
                client = session.client("bedrock-runtime", region_name=region, endpoint_url=settings.endpoint_url,
                                        config=config)
                client.meta.events.register("before-send.bedrock-runtime.InvokeModel", _check_deadline)
                _clients[key] = client
        return client

    def invoke(self, body: dict[str, Any]) -> Answer:
        """Send *body* to ``InvokeModel`` and return the decoded answer (tryon errors on failure)."""
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
        try:
            client = self._client()
            with Deadline(self.settings.deadline, f"the {self.model_id} call"):
                response = client.invoke_model(modelId=self.model_id, body=payload, contentType="application/json",
                                               accept="application/json")
                stream = response["body"]
                try:
                    raw = stream.read(_MAX_ANSWER + 1)
                finally:
                    stream.close()
        except (InvalidOptionError, MissingCredentialsError):
            raise  # settings refused before anything was sent
        except Exception as exc:
            error = translate(exc, self.model_id)
            if error is None:
                raise
            scrub_exception(exc)
            raise error from exc
        request_id = (response.get("ResponseMetadata") or {}).get("RequestId")
        if len(raw) > _MAX_ANSWER:
            raise InvalidResponseError("the answer is larger than 200 MiB", provider=PROVIDER, model=self.model_id,
                                       request_id=request_id)
        try:
            decoded = json.loads(raw)
        except ValueError:
            raise InvalidResponseError("the answer is not JSON", provider=PROVIDER, model=self.model_id,
                                       request_id=request_id) from None
        if not isinstance(decoded, dict):
            raise InvalidResponseError("the answer is not a JSON object", provider=PROVIDER, model=self.model_id,
                                       request_id=request_id)
        return Answer(decoded, request_id)


def translate(exc: BaseException, model: str) -> ProviderError | MissingCredentialsError | None:
    """The tryon error for a botocore exception (or a deadline), ``None`` for anything else."""
    import botocore.exceptions as bx

    common: dict[str, Any] = {"provider": PROVIDER, "model": model}
    if isinstance(exc, DeadlineExceeded):
        return ProviderTimeoutError(str(exc), **common)
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return MissingCredentialsError(PROVIDER, CREDENTIAL_SOURCES, argument="profile")
    if isinstance(exc, bx.NoRegionError):
        return InvalidOptionError([_region_problem()])  # type: ignore[return-value]
    if isinstance(exc, bx.ReadTimeoutError | bx.ConnectTimeoutError):
        return ProviderTimeoutError(f"the request timed out ({type(exc).__name__})", **common)
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError | bx.ConnectionError):
        return ServiceUnavailableError(f"could not reach Bedrock ({type(exc).__name__})", **common)
    if isinstance(exc, bx.ClientError):
        return _client_error(exc, common)
    if isinstance(exc, bx.InvalidEndpointConfigurationError | bx.InvalidRegionError):
        from tryon.errors import Problem

        problem = Problem("endpoint_url", "<endpoint>", f"botocore refused the endpoint configuration: {exc} "
                          "(nothing was sent)")
        return InvalidOptionError([problem], model=model)  # type: ignore[return-value]
    if isinstance(exc, bx.BotoCoreError):
        return ProviderRequestError(f"botocore failed before an answer ({type(exc).__name__}): {exc}", **common)
    return None


def _region_problem() -> Any:
    from tryon.errors import Problem

    return Problem("region", None, "no AWS Region for Bedrock: set region=..., AWS_REGION or a profile's region")


def _client_error(exc: Any, common: dict[str, Any]) -> ProviderError:
    error = exc.response.get("Error") or {}
    meta = exc.response.get("ResponseMetadata") or {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or exc)
    status = meta.get("HTTPStatusCode")
    common.update(status=status, request_id=meta.get("RequestId"))
    text = f"{code}: {message}" if code else message
    lower = message.lower()
    if code in ("UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
                "IncompleteSignatureException", "MissingAuthenticationTokenException"):
        return AuthenticationError(f"AWS refused the credentials: {text}", **common)
    if code == "AccessDeniedException" or status == 403:
        return PermissionDeniedError(f"{text} (is model access enabled for this account and Region?)", **common)
    if code in ("ThrottlingException", "ModelNotReadyException", "ServiceQuotaExceededException") or status == 429:
        return RateLimitError(text, retryable=True, **common)
    if code == "ValidationException" and any(word in lower for word in _FILTER_WORDS):
        return ContentPolicyError(f"blocked by the content filters: {message}", **common)
    if code in ("ResourceNotFoundException",) or (code == "ValidationException" and "model identifier" in lower):
        return ModelRetiredError(f"Bedrock does not serve {common['model']} here: {text}", **common)
    if code == "ModelTimeoutException" or status in (408, 504):
        return ProviderTimeoutError(text, **common)
    if code in ("InternalServerException", "ServiceUnavailableException", "ModelErrorException") or \
            (isinstance(status, int) and status >= 500):
        return ServiceUnavailableError(text, **common)
    return ProviderRequestError(text, **common)
