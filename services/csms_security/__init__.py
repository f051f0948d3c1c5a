"""security service: the security event log (station and CSMS events), the station certificate authority
(SignCertificate -> CertificateSigned) and certificate renewal (docs/adr/0024, 0026)."""
