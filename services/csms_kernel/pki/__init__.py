"""X.509 certificates and keys for the CSMS (ADR 0024): building blocks (`certificates`) and the development
PKI that `make run` and the tests create (`dev`)."""
