from typing import Literal

BodyAuthTokenGrantTypeType0 = Literal["password", "refresh_token"]

BODY_AUTH_TOKEN_GRANT_TYPE_TYPE_0_VALUES: set[BodyAuthTokenGrantTypeType0] = {
    "password",
    "refresh_token",
}


def check_body_auth_token_grant_type_type_0(value: str) -> BodyAuthTokenGrantTypeType0:
    if value in BODY_AUTH_TOKEN_GRANT_TYPE_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BODY_AUTH_TOKEN_GRANT_TYPE_TYPE_0_VALUES!r}"
    )
