"""The one rule for text a person types: every free-text field and every setting.

Text is NFC-normalised and stripped; it is refused (naming the field) when it holds
a character that would hide or disguise what is stored: control characters (C0 and
C1; line breaks and tabs only where the field is multi-line), bidirectional
overrides and isolates (a right-to-left override makes a name display as another),
zero-width characters (two MRNs that look the same but differ), Unicode
noncharacters, lone surrogates (they cannot be written as UTF-8) and text longer
than the field's bound.

Every free-text field has one bound, kept here by the key its form field and its
``ValidationError`` use (``TEXT_LIMITS``): the services check against it and the screens
size their inputs from it (``text_limit``), so a field refuses the same text whether it is
typed at the station or sent by the CLI. The bounds are for storage and screens, not
clinical figures.

MRNs are also compared in a canonical form, ``mrn_key``: NFKC (full-width and other
compatibility forms become their plain letters and digits), case-folded, with spaces,
dashes, dots, slashes and underscores removed. "MRN-0042", "mrn 0042" and
"ＭＲＮ００４２" are the same patient.
"""

from __future__ import annotations

import unicodedata

from monitor_app.domain.models import ValidationError

NAME = 120  # a person's name
SHORT = 40  # credentials, a phone number, a lot or episode number
LINE = 200  # one line of text: the bound of a key not listed
REASON = 500  # a reason or note written on one line
LONG_REASON = 1000  # a written reason that may take several lines (an override)
NOTE = 2000  # an observation's note and its reason for missing values
ADDENDUM = 4000
FOLDER = 1024
MAX_TEXT = LINE

TEXT_LIMITS: dict[str, int] = {
    # patient, episode, escort
    "mrn": 32, "patient_name": NAME, "chair": 20, "dose_reason": LINE,
    "escort_name": NAME, "escort_relationship": 60, "escort_phone": SHORT,
    "lot_number": SHORT, "correction_reason": REASON, "cancel_reason": REASON,
    "episode_number": SHORT, "patient_search": 100,
    # observations and alerts
    "note": NOTE, "missing_reason": NOTE, "void_reason": REASON, "ack_note": REASON,
    # discharge, signatures, records
    "reason": LONG_REASON, "addendum": ADDENDUM, "meaning": LINE,
    "next_appointment": LINE, "rems_answer": REASON, "rems_confirmation": 60,
    # staff and settings
    "name": NAME, "credentials": SHORT, "clinic_name": NAME, "address": 300,
    "phone": SHORT, "paper": 10, "weight_unit": 5, "temp_unit": 5, "date_format": 5,
    "language": 3, "archive_dir": FOLDER, "documents_dir": FOLDER, "backup_dir": FOLDER,
    "fhir_export_dir": FOLDER,
    "fhir_system_uri": REASON, "timestamp_url": 300, "provider_email": NAME,
    # the monitor feed
    "monitor_address": 100, "monitor_device": 50,
}


def text_limit(key: str) -> int:
    """The most characters the field ``key`` holds (``LINE`` for a key not listed)."""
    return TEXT_LIMITS.get(key, LINE)

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_MRN_SEPARATORS = str.maketrans("", "", " \t-./_\u2010\u2011\u2012\u2013\u2014\u2015\u2212")


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def refused_character(text: str, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored (a few words), or None when every character is
    acceptable."""
    allowed = "\n\t" if multiline else ""
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return "an invalid character (a broken surrogate)"
        if (code < 32 or 0x7F <= code <= 0x9F) and char not in allowed:
            return "control characters" + (" (only line breaks and tabs are allowed)"
                                           if multiline else "")
        if char in _BIDI:
            return "a text-direction control character"
        if char in _ZERO_WIDTH:
            return "an invisible (zero-width) character"
        if _is_noncharacter(code):
            return "a Unicode noncharacter"
    return None


def clean_text(value: object, key: str, label: str, *, required: bool = True,
               size: int | None = None, multiline: bool = False) -> str:
    """``value`` as NFC text, stripped (line endings made "\\n" when ``multiline``);
    ``ValidationError(key, ...)`` when it is blank but required, longer than its bound
    (``size``, else ``text_limit(key)``) or holds a refused character."""
    if size is None:
        size = text_limit(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(key, f"the {label} must be text")
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    # Checked before normalising: NFC cannot normalise a lone surrogate.
    reason = refused_character(value, multiline)
    if reason is not None:
        raise ValidationError(key, f"the {label} holds {reason}")
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise ValidationError(key, f"enter the {label}")
    if len(text) > size:
        raise ValidationError(key, f"the {label} is too long: {len(text)} characters, "
                              f"at most {size}")
    return text


def mrn_key(mrn: str) -> str:
    """The canonical form in which two MRNs are compared (see the module's text)."""
    return unicodedata.normalize("NFKC", mrn).casefold().translate(_MRN_SEPARATORS)
