"""Certificates for the certificate commands' tests: a root CA, a station certificate it issued, as PEM."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography import x509

from csms_kernel.pki import certificates as pki


@dataclass(frozen=True)
class Certificates:
    root: x509.Certificate
    leaf: x509.Certificate

    @property
    def root_pem(self) -> str:
        return pki.certificate_pem(self.root).decode()

    @property
    def chain_pem(self) -> str:
        return pki.certificate_pem(self.leaf, self.root).decode()

    @property
    def leaf_pem(self) -> str:
        return pki.certificate_pem(self.leaf).decode()


@pytest.fixture(scope="session")
def certificates() -> Certificates:
    root_key, leaf_key = pki.new_key(), pki.new_key()
    root = pki.self_signed_ca(pki.name("Test Root CA"), root_key, days=30)
    leaf = pki.issue(root, root_key, pki.name("CS-1"), leaf_key.public_key(), days=10)
    return Certificates(root, leaf)
