"""Passwords as the product stores them, outside the test suite's cheap hasher
(tests/conftest.py lowers argon2's cost for the accounts tests make)."""

import subprocess
import sys
from pathlib import Path

from contest.core.security import hash_password, one_hash_per_password, verify_password

ROOT = Path(__file__).resolve().parents[2]

HASH_AND_CHECK = """
from contest.core.security import hash_password, verify_password
stored = hash_password("a-good-password")
print(stored)
print(verify_password("a-good-password", stored), verify_password("a-bad-password", stored))
"""


def test_the_product_hashes_with_argon2id_at_its_recommended_cost() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HASH_AND_CHECK], cwd=ROOT, capture_output=True, text=True,
        check=True,
    )
    stored, checks = done.stdout.splitlines()

    # argon2-cffi's defaults (RFC 9106's second recommended option): 64 MiB, 3 passes.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert checks == "True False"


def test_the_demo_shares_one_hash_per_password_and_only_within_its_load() -> None:
    with one_hash_per_password():
        first, second = hash_password("tianjiao2023"), hash_password("tianjiao2023")
        other = hash_password("another-password")
    outside = hash_password("tianjiao2023")

    assert first == second
    assert verify_password("tianjiao2023", first)
    assert verify_password("another-password", other)
    assert outside != first  # a salt of its own again
