"""Errors of the SDK. A bad record or a bad signature is *data* (a rejected verdict), never an
exception. Exceptions are for programmer and configuration errors (``FlkPcsError``, final) and for
publishing (``FlkPublishError``: ``retriable`` says whether sending again can succeed).

Every error carries ``code`` (the TS names: ``PCS_INVALID_KEY`` ...) and ``retriable``. Messages
never contain key material.
"""
from __future__ import annotations

from typing import Final


class PCS_ERROR_CODES:  # noqa: N801 - the TS name
    INVALID_KEY: Final = "PCS_INVALID_KEY"
    INVALID_ARGUMENT: Final = "PCS_INVALID_ARGUMENT"
    INVALID_KEYRING: Final = "PCS_INVALID_KEYRING"
    INVALID_PARAMS: Final = "PCS_INVALID_PARAMS"


class AGENT_ERROR_CODES:  # noqa: N801 - the TS name
    INVALID_OPTIONS: Final = "AGENT_INVALID_OPTIONS"
    PUBLISH_UNAVAILABLE: Final = "AGENT_PUBLISH_UNAVAILABLE"
    PUBLISH_REJECTED: Final = "AGENT_PUBLISH_REJECTED"


class FlkError(Exception):
    """Base class: ``code`` (stable string) and ``retriable`` (can the same call succeed later?)."""

    code: str
    retriable: bool

    def __init__(self, code: str, message: str, *, retriable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retriable = retriable

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class FlkPcsError(FlkError):
    """A programmer or configuration error of the core (bad key, argument, key ring, params). Final."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, retriable=False)


class FlkAgentError(FlkError):
    """Agent / producer options the caller must fix (``AGENT_INVALID_OPTIONS``). Final."""


class FlkPublishError(FlkError):
    """Publishing failed: ``AGENT_PUBLISH_UNAVAILABLE`` (retriable) or ``AGENT_PUBLISH_REJECTED`` (final)."""


def invalid_argument(message: str) -> FlkPcsError:
    return FlkPcsError(PCS_ERROR_CODES.INVALID_ARGUMENT, message)


def invalid_options(message: str) -> FlkAgentError:
    return FlkAgentError(AGENT_ERROR_CODES.INVALID_OPTIONS, message, retriable=False)


def publish_unavailable(message: str) -> FlkPublishError:
    return FlkPublishError(AGENT_ERROR_CODES.PUBLISH_UNAVAILABLE, message, retriable=True)


def publish_rejected(message: str) -> FlkPublishError:
    return FlkPublishError(AGENT_ERROR_CODES.PUBLISH_REJECTED, message, retriable=False)
