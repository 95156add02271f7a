"""A PAdES signature on a finished PDF, with the clinic's key (pyHanko).

The signature is an incremental update: the rendered sheet's bytes stay exactly as
they were and the signature covers all of them, so any PDF reader (or poppler's
``pdfsig``) can check that not one byte changed since signing. A self-signed clinic
certificate shows as "valid signature, signer not trusted" until the reader trusts
it; an imported certificate from a trusted issuer shows as trusted.

An RFC 3161 timestamp is added when a server is set and answers; offline is normal,
so a server that cannot be reached gives a signature without a timestamp and a note
saying so, never a failure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.keys.pemder import load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator.registry import SimpleCertificateStore

TIMESTAMP_TIMEOUT_S = 5
SIGNATURE_BYTES = 16384  # room for the CMS blob with a certificate chain; skips a trial run


@dataclass(frozen=True)
class SigningKey:
    key_pem: bytes
    cert_pem: bytes
    chain_pem: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    note: str  # "" when everything asked for was done (e.g. the timestamp was added)


def sign_pdf(pdf: bytes, key: SigningKey, *, reason: str, location: str,
             timestamp_url: str = "") -> SignedPdf:
    """``pdf`` with a PAdES signature over all of it; raises ValueError for bad keys."""
    signer = _signer(key)
    meta = signers.PdfSignatureMetadata(
        field_name="ClinicSignature", reason=reason[:200], location=location[:200],
        md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
    if timestamp_url:
        stamper = timestamps.HTTPTimeStamper(timestamp_url, timeout=TIMESTAMP_TIMEOUT_S)
        try:
            return SignedPdf(_sign(pdf, meta, signer, stamper), "")
        except Exception as exc:  # network, HTTP or TSA errors: sign without a timestamp
            note = (f"the timestamp server {timestamp_url} could not be reached or refused "
                    f"({type(exc).__name__}); the sheet is signed without a timestamp")
            return SignedPdf(_sign(pdf, meta, signer, None), note)
    return SignedPdf(_sign(pdf, meta, signer, None), "")


def _sign(pdf: bytes, meta: signers.PdfSignatureMetadata, signer: signers.Signer,
          stamper: timestamps.TimeStamper | None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=stamper,
                           bytes_reserved=None if stamper else SIGNATURE_BYTES)
    return out.getvalue()


def _signer(key: SigningKey) -> signers.SimpleSigner:
    cert = load_certs_from_pemder_data(key.cert_pem)
    chain = [c for pem in key.chain_pem for c in load_certs_from_pemder_data(pem)]
    [signing_cert] = list(cert)
    return signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=load_private_key_from_pemder_data(key.key_pem, None),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert, *chain]))

