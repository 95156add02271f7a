"""The clinic's settings: what they are, their bounds, and how they are stored."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from monitor_app.domain.models import ValidationError
from monitor_app.domain.pins import MIN_LENGTH_DEFAULT
from monitor_app.storage import repository as repo
from monitor_app.storage.connection import Database

SETTING_PREFIX = "clinic."
# Every text setting and its label; its bound is domain.text's (the address and phone
# are printed in the sheet's header, which must fit on the first page).
TEXT_SETTINGS = {
    "clinic_name": "clinic's name",
    "address": "address",
    "phone": "phone",
    "paper": "paper size",
    "weight_unit": "weight unit",
    "temp_unit": "temperature unit",
    "archive_dir": "archive folder",
    "documents_dir": "documents folder",
    "backup_dir": "backup folder",
    "fhir_system_uri": "MRN system URI",
    "fhir_export_dir": "EHR export folder",
    "timestamp_url": "timestamp server",
    "date_format": "date format",
    "provider_email": "provider's email",
    "language": "language of the instructions",
}


# Where Letter is the usual paper (the US and its neighbours); elsewhere A4.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PR", "PH", "CL", "CO", "VE", "CR", "GT",
                                "PA", "SV", "NI", "HN", "DO", "BZ"})


def locale_paper(environ: Mapping[str, str] = os.environ) -> str:
    """The paper of the station's locale (LC_ALL, LC_PAPER, LANG: en_GB.UTF-8 -> A4);
    Letter when the locale names no country (C, POSIX): the REMS program is American."""
    name = next((environ[k] for k in ("LC_ALL", "LC_PAPER", "LANG") if environ.get(k)), "")
    territory = name.split(".")[0].split("@")[0].partition("_")[2].upper()
    return "A4" if territory and territory not in LETTER_TERRITORIES else "Letter"


@dataclass(frozen=True)
class ClinicSettings:
    """The clinic's settings: name, units, idle lock, folders and the like."""

    clinic_name: str = ""
    address: str = ""
    phone: str = ""
    paper: str = field(default_factory=locale_paper)  # "A4" or "Letter"
    weight_unit: str = "kg"  # "kg" or "lb"; stored in kg
    temp_unit: str = "C"  # "C" or "F"; stored in degrees C
    idle_lock_min: int = 10
    pin_attempts: int = 5
    late_entry_min: int = 5  # an observation typed this long after it was taken is "late"
    date_format: str = "YMD"  # dates typed and shown as "YMD", "DMY" or "MDY"
    archive_dir: str = ""  # signed sheets; "" = <data folder>/archive
    documents_dir: str = ""  # where Save PDF opens first; "" = the user's Documents
    backup_dir: str = ""  # daily backups; "" = <data folder>/backups
    backups_kept: int = 14
    fhir_system_uri: str = ""  # the MRN's identifier system; "" = a placeholder (exports.py)
    fhir_export_dir: str = ""  # every signed episode's FHIR bundle goes here; "" = off
    min_pin_length: int = MIN_LENGTH_DEFAULT  # new PINs; a shorter one must be changed at sign-in
    timestamp_url: str = ""  # RFC 3161 server for the archived sheet's signature; "" = none
    alert_volume: int = 70  # the chime when a chair turns due or overdue, 0-100; 0 = off
    provider_email: str = ""  # the monitoring provider's email on the REMS form
    language: str = "en"  # default language of the patient's instructions


def read_settings(db: Database) -> ClinicSettings:
    """The stored settings, defaults for what was never set."""
    stored = repo.all_settings(db)
    values: dict[str, Any] = {}  # each field's own type: int or str
    for f in fields(ClinicSettings):
        value = stored.get(SETTING_PREFIX + f.name)
        if value is None:
            continue
        values[f.name] = int(value) if f.type in ("int", int) else str(value)
    return ClinicSettings(**values)


def stored_form(values: dict[str, object]) -> dict[str, object]:
    """Settings as they are keyed in the settings table."""
    return {SETTING_PREFIX + k: v for k, v in values.items()}


_OID = re.compile(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+")
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[!-~]+")


def placeholder_system_uri(clinic_name: str) -> str:
    """Used until Settings gives the EHR's MRN system: stable, and visibly not real."""
    slug = re.sub(r"[^a-z0-9]+", "-", clinic_name.lower()).strip("-") or "clinic"
    return f"https://{slug[:60]}.invalid/mrn"


def check_system_uri(text: str) -> str:
    """An absolute URI for the MRN's identifier system ('' = use the placeholder)."""
    uri = text.strip()
    if not uri:
        return ""
    problem = "give an absolute URI, e.g. urn:oid:1.2.3.4 or https://clinic.example/mrn"
    if len(uri) > 200 or any(c.isspace() or c == "|" for c in uri) or not uri.isascii():
        raise ValidationError("fhir_system_uri", problem)
    if uri.lower().startswith("urn:oid:"):
        if not _OID.fullmatch(uri):
            raise ValidationError("fhir_system_uri", "an OID is digits and dots "
                                  "(urn:oid:2.16.840.1.113883.x.y)")
        return uri
    if uri.lower().startswith("urn:uuid:"):
        import uuid  # it imports platform (~3 ms): only when a saved URI is checked

        try:
            uuid.UUID(uri[9:])
        except ValueError:
            raise ValidationError("fhir_system_uri", "not a valid UUID after urn:uuid:"
                                  ) from None
        return uri
    if _URN.fullmatch(uri):
        return uri
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https") and parts.netloc and "." in parts.netloc:
        return uri
    raise ValidationError("fhir_system_uri", problem)
