from typing import Literal

OAuthErrorEnvelopeError = Literal[
    "invalid_client",
    "invalid_grant",
    "invalid_request",
    "invalid_scope",
    "unauthorized_client",
    "unsupported_grant_type",
]

O_AUTH_ERROR_ENVELOPE_ERROR_VALUES: set[OAuthErrorEnvelopeError] = {
    "invalid_client",
    "invalid_grant",
    "invalid_request",
    "invalid_scope",
    "unauthorized_client",
    "unsupported_grant_type",
}


def check_o_auth_error_envelope_error(value: str) -> OAuthErrorEnvelopeError:
    if value in O_AUTH_ERROR_ENVELOPE_ERROR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {O_AUTH_ERROR_ENVELOPE_ERROR_VALUES!r}")
