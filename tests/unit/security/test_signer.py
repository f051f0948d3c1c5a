"""The certificate signer: a pending request is signed once, published as `certificate_issued` and handed to
device-model's `certificate-signed` command; failures leave it pending."""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from csms.security.v1 import security_pb2
from csms_kernel.pki import certificates as pki
from csms_security.app.signer import CertificateSigner
from csms_security.domain.csr import CHARGING_STATION, V2G
from csms_security.ports import CommandFailed, SigningRequest
from kit.builders.security import NOW, STATION, authorities, csr_pem, station_ca
from kit.fakes.outbox import FakeLease
from kit.fakes.security import InMemoryCertificateStore, RecordingCommands, RecordingEventPublisher

LATER = NOW + timedelta(seconds=5)


def signer(
    store: InMemoryCertificateStore, commands: RecordingCommands, events: RecordingEventPublisher
) -> CertificateSigner:
    return CertificateSigner(
        store,
        commands,
        events,
        authorities(),
        FakeLease(),
        lambda: LATER,
        validity=timedelta(days=10),
        command_expiry=timedelta(hours=1),
    )


def request(request_id: str = "r-1", certificate_type: str = CHARGING_STATION) -> SigningRequest:
    return SigningRequest(request_id, STATION, certificate_type, csr_pem(), NOW)


async def test_a_pending_request_is_signed_published_and_sent_once() -> None:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(request())
    assert await signer(store, commands, events).sign_pending() == 1
    assert await signer(store, commands, events).sign_pending() == 0
    [(station, command, params, expires_at)] = commands.sent
    assert (station, command, params["certificate_type"], expires_at) == (
        STATION,
        "certificate-signed",
        "charging_station",
        LATER + timedelta(hours=1),
    )
    leaf, ca = x509.load_pem_x509_certificates(params["certificate_chain_pem"].encode())
    assert pki.common_name(leaf) == STATION
    assert ca == station_ca().certificate
    public_key = station_ca().certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    leaf.verify_directly_issued_by(ca)
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == timedelta(days=10)
    [record] = events.published
    assert (record.event.type, record.event.source, record.event.station_id) == (
        "certificate_issued",
        security_pb2.SECURITY_EVENT_SOURCE_CSMS,
        STATION,
    )
    assert record.event.details["serial_number"] == f"{leaf.serial_number:x}"
    assert store.pending_ids == []
    assert commands.keys == [f"certificate-signed/{request().request_id}"]


async def test_a_request_received_just_now_waits_for_its_answer_to_go_first() -> None:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(SigningRequest("r-1", STATION, CHARGING_STATION, csr_pem(), LATER))
    assert await signer(store, commands, events).sign_pending() == 0
    assert commands.sent == []


async def test_device_model_unavailable_keeps_the_request_and_its_certificate() -> None:
    store, events = InMemoryCertificateStore(), RecordingEventPublisher()
    commands = RecordingCommands(failures=[CommandFailed("down", retryable=True)])
    await store.record(request())
    assert await signer(store, commands, events).sign_pending() == 0
    assert store.pending_ids == ["r-1"]
    first = store.issued["r-1"]
    assert await signer(store, commands, events).sign_pending() == 1
    assert store.issued["r-1"] == first
    assert commands.sent[0][2]["certificate_chain_pem"] == first.chain_pem
    assert [r.event.event_id for r in events.published] == [events.published[0].event.event_id] * 2


async def test_a_final_refusal_by_device_model_ends_the_request() -> None:
    store, events = InMemoryCertificateStore(), RecordingEventPublisher()
    commands = RecordingCommands(failures=[CommandFailed("unknown command", retryable=False)])
    await store.record(request())
    await signer(store, commands, events).sign_pending()
    assert store.pending_ids == []
    assert "r-1" in store.issued


async def test_a_request_whose_ca_is_no_longer_configured_is_dropped_unsigned() -> None:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(request(certificate_type=V2G))
    await signer(store, commands, events).sign_pending()
    assert (store.pending_ids, store.issued, commands.sent) == ([], {}, [])


async def test_a_certificate_another_signer_stored_first_is_the_one_sent() -> None:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(request())
    first = signer(store, RecordingCommands(failures=[CommandFailed("x", retryable=True)]), events)
    await first.sign_pending()
    stored = store.issued["r-1"]
    store.issued.clear()
    store.issued["r-1"] = stored
    await signer(store, commands, events).sign_pending()
    assert commands.sent[0][2]["certificate_chain_pem"] == stored.chain_pem


async def test_the_21_request_id_goes_with_the_certificate() -> None:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(SigningRequest("r-1", STATION, CHARGING_STATION, csr_pem(), NOW, ocpp_request_id=42))
    await signer(store, commands, events).sign_pending()
    assert commands.sent[0][2]["request_id"] == 42
    assert "request_id" not in (await _signed_without_request_id())


async def _signed_without_request_id() -> dict[str, object]:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(request())
    await signer(store, commands, events).sign_pending()
    return commands.sent[0][2]


async def test_a_request_that_fails_unexpectedly_stays_pending_without_stopping_the_others() -> None:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(SigningRequest("r-bad", STATION, CHARGING_STATION, "not a CSR", NOW))
    await store.record(request("r-good"))
    assert await signer(store, commands, events).sign_pending() == 1
    assert store.pending_ids == ["r-bad"]
    assert [sent[0] for sent in commands.sent] == [STATION]


async def test_the_same_call_handled_again_after_the_hand_over_sends_nothing_more() -> None:
    store, commands, events = InMemoryCertificateStore(), RecordingCommands(), RecordingEventPublisher()
    await store.record(request())
    await signer(store, commands, events).sign_pending()
    await store.record(request())
    assert await signer(store, commands, events).sign_pending() == 0
    assert len(commands.sent) == 1
