"""The archived discharge sheet carries a PAdES signature any PDF reader checks:
poppler's pdfsig says it is valid, and not after one byte changes."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

import monitor_app.domain.pins
from monitor_app.demo import build_demo
from monitor_app.domain import pins
from monitor_app.domain.models import ValidationError
from monitor_app.services import Services
from monitor_app.storage import keyfile
from tests.helpers.world import (
    NURSE_PIN,
    answer_everything,
    make_world,
    open_iv,
    to_ready,
)

pytestmark = [
    pytest.mark.usefixtures("fast_pins"),
    pytest.mark.skipif(shutil.which("pdfsig") is None,
                       reason="poppler-utils' pdfsig is installed by scripts/system-deps.sh"),
]
VALID = "Signature Validation: Signature is Valid."


def pdfsig(path: Path) -> str:
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def signed_episode(tmp_path: Path):
    w = make_world(tmp_path / "clinic.db")
    episode = open_iv(w)
    to_ready(w, episode.id)
    answer_everything(w, episode.id)
    return w, w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)


def test_the_archived_sheet_is_signed_and_a_changed_byte_breaks_it(tmp_path):
    w, result = signed_episode(tmp_path)
    assert result.archive_problem == ""
    report = pdfsig(result.archived_to)
    assert VALID in report
    assert "Common Name: Test Clinic" in report
    assert "Total document signed" in report
    data = bytearray(result.archived_to.read_bytes())
    at = data.index(b"/Producer")  # inside the signed range, same length
    data[at + 2] ^= 0x20
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert VALID not in pdfsig(tampered)
    w.s.close()


def test_a_renamed_clinic_signs_in_its_new_name(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    w.s.save_settings(w.admin.id, replace(w.s.settings(), clinic_name="Lakeside Clinic"))
    episode = open_iv(w)
    to_ready(w, episode.id)
    answer_everything(w, episode.id)
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)
    report = pdfsig(result.archived_to)
    assert VALID in report and "Common Name: Lakeside Clinic" in report
    assert "Lakeside Clinic (self-signed)" in w.s.signing_certificate()
    w.s.close()


def test_every_archived_demo_sheet_verifies(tmp_path, monkeypatch):
    monkeypatch.setattr(monitor_app.domain.pins, "COST", pins.TEST_COST)
    build_demo(tmp_path / "demo.db")
    sheets = sorted((tmp_path / "archive").glob("*.pdf"))
    # two signed episodes: chart and patient copies, and the REMS form of the esketamine one
    assert len(sheets) == 5
    for sheet in sheets:
        report = pdfsig(sheet)
        assert VALID in report, report
        assert "Riverside Ketamine Clinic" in report


def test_an_unreachable_timestamp_server_signs_without_and_says_so(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    w.s.save_settings(w.admin.id, replace(w.s.settings(),
                                          timestamp_url="http://127.0.0.1:9/tsa"))
    episode = open_iv(w)
    to_ready(w, episode.id)
    answer_everything(w, episode.id)
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)
    assert "without a timestamp" in result.archive_problem
    assert "http://127.0.0.1:9/tsa" in result.archive_problem
    assert VALID in pdfsig(result.archived_to)
    w.s.close()


@pytest.mark.parametrize("url", ["tsa.example.org", "ftp://tsa.example.org", "http://"])
def test_a_timestamp_address_must_be_a_web_address(tmp_path, url):
    w = make_world(tmp_path / "clinic.db")
    with pytest.raises(ValidationError) as refused:
        w.s.save_settings(w.admin.id, replace(w.s.settings(), timestamp_url=url))
    assert refused.value.field == "timestamp_url"
    w.s.close()


def make_p12(path: Path, name: str, password: str) -> None:
    key_pem, cert_pem = keyfile.self_signed(name, dt.datetime.now(dt.UTC))
    from cryptography import x509

    key = serialization.load_pem_private_key(key_pem, None)
    cert = x509.load_pem_x509_certificate(cert_pem)
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"clinic", key, cert, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(password.encode())))


def test_an_imported_pkcs12_certificate_signs_the_next_sheets(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    p12 = tmp_path / "issued.p12"
    make_p12(p12, "Lakeside Health Trust", "s3cret")
    with pytest.raises(ValidationError) as wrong:
        w.s.import_signing_certificate(w.admin.id, str(p12), "nope")
    assert wrong.value.field == "p12_password"
    with pytest.raises(ValidationError) as not_admin:
        w.s.import_signing_certificate(w.nurse.id, str(p12), "s3cret")
    assert not_admin.value.field == "role"
    shown = w.s.import_signing_certificate(w.admin.id, str(p12), "s3cret")
    assert "Lakeside Health Trust" in shown
    keys = keyfile.load_keys(tmp_path / "clinic.db.keys")  # stored in the key file
    assert b"PRIVATE KEY" in (keys.signing_key or b"")
    w.s.close()
    again = Services.open(w.path, clock=w.clock)  # kept across restarts
    assert "Lakeside Health Trust" in again.signing_certificate()
    again.save_settings(w.admin.id, replace(again.settings(), clinic_name="Renamed"))
    w.services = again
    episode = open_iv(w)
    to_ready(w, episode.id)
    answer_everything(w, episode.id)
    result = again.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)
    report = pdfsig(result.archived_to)
    assert VALID in report and "Common Name: Lakeside Health Trust" in report
    again.close()


def _rsa_tsa_certificate() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            cert.public_bytes(serialization.Encoding.PEM))


class _TimestampServer:
    """A local RFC 3161 server (pyHanko's test stamper behind http.server)."""

    def __init__(self) -> None:
        import http.server
        import threading

        from asn1crypto import tsp
        from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder_data
        from pyhanko.sign.timestamps import DummyTimeStamper

        key_pem, cert_pem = _rsa_tsa_certificate()  # pyHanko's test stamper is RSA-only
        folder = Path(__import__("tempfile").mkdtemp())
        (folder / "tsa.pem").write_bytes(cert_pem)
        stamper = DummyTimeStamper(load_cert_from_pemder(str(folder / "tsa.pem")),
                                   load_private_key_from_pemder_data(key_pem, None))
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_reachable_timestamp_server_dates_the_signature(tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader

    server = _TimestampServer()
    try:
        w = make_world(tmp_path / "clinic.db")
        w.s.save_settings(w.admin.id, replace(w.s.settings(), timestamp_url=server.url))
        episode = open_iv(w)
        to_ready(w, episode.id)
        answer_everything(w, episode.id)
        result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)
    finally:
        server.close()
    assert result.archive_problem == ""
    assert server.requests >= 1  # pyHanko also asks once to size the signature
    assert VALID in pdfsig(result.archived_to)
    with result.archived_to.open("rb") as handle:
        [signature] = PdfFileReader(handle).embedded_signatures
        unsigned = signature.signer_info["unsigned_attrs"].native or []
    assert [a["type"] for a in unsigned] == ["signature_time_stamp_token"]
    w.s.close()
