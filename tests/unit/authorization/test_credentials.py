"""Input rules and password hashing of authorization.credentials."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from csms_authorization.domain.credentials import (
    InvalidCredentials,
    PasswordHash,
    PasswordHasher,
    check_password,
    check_security_profile,
    check_station_id,
    presented_forms,
)

PASSWORD = "0123456789abcdef"


def fixed_salt(n: int) -> bytes:
    return bytes(range(n))


@pytest.mark.parametrize("station_id", ["A", "CP-001", "x" * 48, "a*b-c_d=e+f|g@h.i"])
def test_valid_station_ids(station_id: str) -> None:
    check_station_id(station_id)


@pytest.mark.parametrize(
    ("station_id", "message"),
    [
        ("", "station id must be 1..48 characters, got 0"),
        ("x" * 49, "station id must be 1..48 characters, got 49"),
        (
            "CP:1",
            "station id allows only ASCII letters, digits and *-_=+|@., got ':'",
        ),
        (
            "CP/ä 1",
            "station id allows only ASCII letters, digits and *-_=+|@., got ' ', '/', '\\xe4'",
        ),
    ],
)
def test_invalid_station_ids(station_id: str, message: str) -> None:
    with pytest.raises(InvalidCredentials) as raised:
        check_station_id(station_id)
    assert str(raised.value) == message


@pytest.mark.parametrize("password", ["p" * 16, "p" * 40, "p" * 64, " !~" * 6, "00ff" * 10])
def test_valid_passwords(password: str) -> None:
    check_password(password)


@pytest.mark.parametrize("length", [0, 15, 65])
def test_passwords_outside_16_to_64_characters_are_refused(length: int) -> None:
    with pytest.raises(InvalidCredentials) as raised:
        check_password("p" * length)
    assert str(raised.value) == f"password must be 16..64 characters (OCPP BasicAuthPassword), got {length}"


@pytest.mark.parametrize("profile", [1, 2, 3])
def test_valid_security_profiles(profile: int) -> None:
    check_security_profile(profile)


@pytest.mark.parametrize("profile", [0, 4])
def test_invalid_security_profiles(profile: int) -> None:
    with pytest.raises(InvalidCredentials) as raised:
        check_security_profile(profile)
    assert str(raised.value) == f"security_profile must be 1, 2 or 3, got {profile}"


def test_hash_is_hmac_sha256_of_salt_and_password_keyed_with_the_pepper() -> None:
    hashed = PasswordHasher(b"pepper", fixed_salt).hash(PASSWORD)
    salt = bytes(range(16))
    assert hashed == PasswordHash(
        digest=hmac.new(b"pepper", salt + PASSWORD.encode(), hashlib.sha256).digest(), salt=salt
    )


def test_the_right_password_verifies() -> None:
    hasher = PasswordHasher(b"pepper")
    assert hasher.verify(PASSWORD, hasher.hash(PASSWORD))


@pytest.mark.parametrize("attempt", ["0123456789abcdeF", "0123456789abcde", "", PASSWORD + " "])
def test_another_password_does_not_verify(attempt: str) -> None:
    hasher = PasswordHasher(b"pepper")
    assert not hasher.verify(attempt, hasher.hash(PASSWORD))


def test_another_pepper_does_not_verify() -> None:
    stored = PasswordHasher(b"pepper").hash(PASSWORD)
    assert not PasswordHasher(b"other").verify(PASSWORD, stored)


def test_each_hash_gets_a_fresh_salt() -> None:
    hasher = PasswordHasher(b"")
    first, second = hasher.hash(PASSWORD), hasher.hash(PASSWORD)
    assert len(first.salt) == 16
    assert first.salt != second.salt
    assert first.digest != second.digest


@pytest.mark.parametrize("password", ["ünïcödé-sécret-16", "tab\there-0123456789", "del\x7f-0123456789ab"])
def test_passwords_must_be_printable_ascii(password: str) -> None:
    with pytest.raises(InvalidCredentials) as raised:
        check_password(password)
    assert str(raised.value) == "password must consist of printable ASCII characters"


@pytest.mark.parametrize(
    ("password", "forms"),
    [
        ("p" * 15, ("p" * 15,)),
        ("p" * 16, ("p" * 16, "70" * 16)),
        ("p" * 20, ("p" * 20, "70" * 20)),
        ("p" * 21, ("p" * 21,)),
        ("é" * 8, ("é" * 8, "c3a9" * 8)),
    ],
)
def test_presented_forms_add_hex_for_authorization_key_sizes(password: str, forms: tuple[str, ...]) -> None:
    assert presented_forms(password) == forms


def test_an_ocpp16_key_registered_as_hex_verifies_as_hex_text_and_as_raw_bytes_text() -> None:
    hasher = PasswordHasher(b"pepper", fixed_salt)
    key = b"0123456789-zzzzz"
    stored = hasher.hash(key.hex())
    assert hasher.verify(key.hex(), stored)
    assert hasher.verify(key.decode(), stored)
    assert not hasher.verify(key.hex().upper(), stored)
    assert not hasher.verify("0123456789abcdeg", stored)


def test_a_plain_password_is_not_matched_by_its_hex() -> None:
    hasher = PasswordHasher(b"pepper", fixed_salt)
    stored = hasher.hash(PASSWORD)
    assert hasher.verify(PASSWORD, stored)
    assert not hasher.verify(PASSWORD.encode().hex(), stored)
