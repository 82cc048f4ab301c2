"""E-mail addresses: syntax checked per call, without changing email-validator for anyone else."""

from __future__ import annotations

import email_validator
from pydantic import BaseModel

from todo_api.schemas.email import Email


class Signup(BaseModel):
    email: Email


def test_the_schemas_leave_email_validators_lists_as_they_were() -> None:
    # todo_api.schemas is imported above: a module-level change to the library would show here.
    assert {"local", "test", "invalid"} <= set(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def test_test_domains_are_accepted_and_stored_lower_case() -> None:
    assert Signup(email="Ada@Staging.Example.TEST").email == "ada@staging.example.test"
