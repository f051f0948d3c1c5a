"""Plug & Charge on the real stack (docs/adr/0028): a 2.0.1 station asks GetCertificateStatus about a good and a
revoked contract certificate (answered from the local OCSP responder, which the authorization service reaches
through its allow-list) and about one whose responder is not allowed (never contacted), and installs a contract
certificate with Get15118EVCertificate (issued by the local provider for the EV's key)."""

from __future__ import annotations

import base64
import uuid

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from ocpp.v201 import call

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.pnc import PlugAndChargeWorld, emaid, ev_csr, ocsp_request_data
from kit.stack import PASSWORD
from kit.stations.ocpp_client import connected_station


def snake(fields: dict[str, str]) -> dict[str, str]:
    return {
        "hash_algorithm": fields["hashAlgorithm"],
        "issuer_name_hash": fields["issuerNameHash"],
        "issuer_key_hash": fields["issuerKeyHash"],
        "serial_number": fields["serialNumber"],
        "responder_url": fields["responderURL"],
    }


async def test_a_201_station_checks_certificates_and_installs_a_contract(
    stack: Stack, authorization: authorization_pb2_grpc.AuthorizationServiceStub, pnc: PlugAndChargeWorld
) -> None:
    station_id = f"E2E-PNC-{uuid.uuid4().hex[:8].upper()}"
    await authorization.RegisterStation(
        pb.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1)
    )
    ca = pnc.ocsp.ca
    good, revoked = ca.issue(f"{station_id}-GOOD"), ca.issue(f"{station_id}-REVOKED")
    ca.revoke(revoked)
    asked_before = len(pnc.ocsp.requests)

    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as station:
        assert (await station.boot()).status == "Accepted"
        statuses = []
        for certificate in (good, revoked):
            request = call.GetCertificateStatus(
                ocsp_request_data=snake(ocsp_request_data(certificate, ca.certificate, pnc.ocsp_url))
            )
            answer = await station.call(request)
            assert answer.status == "Accepted", answer
            response = ocsp.load_der_ocsp_response(base64.b64decode(answer.ocsp_result))
            assert response.serial_number == certificate.serial_number
            # what the station checks: signed by the CA (RFC 6960 allows the CA itself to respond)
            ca.certificate.public_key().verify(  # type: ignore[call-arg, union-attr]
                response.signature, response.tbs_response_bytes, ec.ECDSA(response.signature_hash_algorithm)
            )
            statuses.append(response.certificate_status)
        assert statuses == [ocsp.OCSPCertStatus.GOOD, ocsp.OCSPCertStatus.REVOKED]
        assert pnc.ocsp.requests[asked_before:] == [good.serial_number, revoked.serial_number]

        refused = await station.call(
            call.GetCertificateStatus(
                ocsp_request_data=snake(ocsp_request_data(good, ca.certificate, "http://127.0.0.1:1/metadata"))
            )
        )
        assert (refused.status, refused.status_info, refused.ocsp_result) == (
            "Failed",
            {"reason_code": "ResponderNotAllowed"},
            None,
        )
        assert len(pnc.ocsp.requests) == asked_before + 2

        # Authorize of a contract (C07): its chain checked by OCSP; a revoked one makes the token Invalid
        token = {"id_token": f"DE-CSM-C{station_id[-8:]}-0", "type": "eMAID"}
        await authorization.UpsertIdToken(
            pb.UpsertIdTokenRequest(id_token=token["id_token"], type=pb.ID_TOKEN_TYPE_EMAID)
        )
        for certificate, expected in ((good, ("Accepted", "Accepted")), (revoked, ("Invalid", "CertificateRevoked"))):
            hash_data = [snake(ocsp_request_data(certificate, ca.certificate, pnc.ocsp_url))]
            authorized = await station.call(call.Authorize(id_token=token, iso15118_certificate_hash_data=hash_data))
            assert (authorized.id_token_info["status"], authorized.certificate_status) == expected

        csr, key = ev_csr()
        installed = await station.call(
            call.Get15118EVCertificate(
                iso15118_schema_version="urn:iso:15118:2:2013:MsgDef",
                action="Install",
                exi_request=base64.b64encode(csr).decode(),
            )
        )
        assert installed.status == "Accepted", installed
        contract = x509.load_der_x509_certificate(base64.b64decode(installed.exi_response))
        assert contract.public_key() == key.public_key()
        assert contract.issuer == pnc.provider.ca.certificate.subject
        assert contract.subject.rfc4514_string() == f"CN={emaid(station_id, key.public_key())}"
        assert pnc.provider.requests[-1]["stationId"] == station_id
