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
from tests.core.service_fixtures import (
    NURSE_PIN,
    answer_everything,
    fast_pins,  # noqa: F401  (fixture)
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
    assert len(sheets) == 2
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
