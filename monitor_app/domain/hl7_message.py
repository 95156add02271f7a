"""HL7 v2 ``ORU^R01`` results from a bedside monitor, parsed by hand, and their ACKs.

Pure functions, no I/O. Only what the station needs is read: the sender (MSH-3/MSH-4),
the control id (MSH-10), the bed (PV1-3), the time (OBR-7, else MSH-7) and every OBX
(code, text, value, unit, status, time, equipment id). Anything malformed raises
``Hl7Refused`` with the acknowledgement code to send: ``AR`` when the message cannot be
processed at all (no MSH, not ORU^R01, unreadable bytes), ``AE`` when it is an ORU^R01
whose content is in error (no result, a value that is not a number, an absurd value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

START, END = b"\x0b", b"\x1c\x0d"  # MLLP frame: <VT> message <FS><CR>
MAX_SEGMENT_CHARS = 8000  # one OBX or MSH is a few hundred characters at most
_TS = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?")
_CHARSETS = {"": "utf-8", "UNICODE UTF-8": "utf-8", "ASCII": "ascii", "8859/1": "latin-1"}


class Hl7Refused(ValueError):
    """The message is refused; ``code`` is the MSA-1 to send and ``reason`` its text."""

    def __init__(self, code: str, reason: str, control_id: str = "",
                 header: tuple[str, str] = ("", "")) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.control_id = control_id
        self.header = header  # (MSH-3, MSH-4) of the sender, when read


@dataclass(frozen=True)
class Obx:
    code: str  # OBX-3.1
    system: str  # OBX-3.3: "MDC", "LN", a vendor's name...
    text: str  # OBX-3.2
    value: str  # OBX-5
    unit: str  # OBX-6.1
    status: str  # OBX-11: F final, C corrected, P preliminary, X cannot be obtained...
    equipment: str  # OBX-18.1
    observed_at: datetime | None  # OBX-14


@dataclass(frozen=True)
class Hl7Message:
    control_id: str
    sending_app: str  # MSH-3.1
    sending_facility: str  # MSH-4.1
    sent_at: datetime | None  # MSH-7
    bed: str  # PV1-3 (point of care^room^bed, joined with "/")
    observed_at: datetime | None  # OBR-7
    results: tuple[Obx, ...]

    @property
    def devices(self) -> tuple[str, ...]:
        """Every identifier this message names its device by, most specific first."""
        ids = [o.equipment for o in self.results if o.equipment]
        ids += [self.sending_facility, self.sending_app]
        return tuple(dict.fromkeys(i for i in ids if i))


def decode(data: bytes) -> str:
    """The message's text in the charset MSH-18 names (UTF-8 when it names none)."""
    head = data[:MAX_SEGMENT_CHARS].split(b"\r", 1)[0]
    charset = ""
    if head.startswith(b"MSH") and len(head) > 3:
        fields = head.split(head[3:4])
        if len(fields) > 17:
            charset = fields[17].decode("ascii", "replace").strip().upper()
    encoding = _CHARSETS.get(charset)
    if encoding is None:
        raise Hl7Refused("AR", f"character set {charset[:20]!r} is not supported")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise Hl7Refused("AR", f"message is not valid {encoding} text") from None


def parse_oru(text: str) -> Hl7Message:
    """Read an ORU^R01, or raise ``Hl7Refused``."""
    segments = [s for s in re.split(r"\r\n|\r|\n", text) if s.strip()]
    if not segments or not segments[0].startswith("MSH") or len(segments[0]) < 8:
        raise Hl7Refused("AR", "message does not start with an MSH segment")
    msh = segments[0]
    sep = msh[3]
    comp = msh[4]
    if sep.isalnum() or comp.isalnum() or sep == comp:
        raise Hl7Refused("AR", "MSH has no valid separators")
    # MSH-1 is the separator itself, so MSH-n is fields[n - 1].
    fields = msh.split(sep)
    control_id = _field(fields, 9, comp)[:50]
    header = (_field(fields, 2, comp)[:50], _field(fields, 3, comp)[:50])
    for segment in segments:
        if len(segment) > MAX_SEGMENT_CHARS:
            raise Hl7Refused("AR", f"segment {segment[:3]!r} is longer than "
                             f"{MAX_SEGMENT_CHARS} characters", control_id, header)
    kind = _components(_field_raw(fields, 8), comp)
    if kind[:2] != ["ORU", "R01"]:
        raise Hl7Refused("AR", f"message type {'^'.join(kind[:2])!r} is not ORU^R01",
                         control_id, header)
    if not control_id:
        raise Hl7Refused("AR", "MSH-10 message control id is empty", control_id, header)
    bed, observed_at, results = "", None, []
    for segment in segments[1:]:
        parts = segment.split(sep)
        name = parts[0]
        if name == "PV1":
            bed = "/".join(c for c in _components(_field_raw(parts, 3), comp) if c)[:50]
        elif name == "OBR" and observed_at is None:
            observed_at = _time(_field(parts, 7, comp), "OBR-7", control_id, header)
        elif name == "OBX":
            results.append(_obx(parts, comp, control_id, header))
    if not results:
        raise Hl7Refused("AE", "message holds no OBX result", control_id, header)
    return Hl7Message(control_id=control_id, sending_app=header[0], sending_facility=header[1],
                      sent_at=_time(_field(fields, 6, comp), "MSH-7", control_id, header),
                      bed=bed, observed_at=observed_at, results=tuple(results))


def _obx(parts: list[str], comp: str, control_id: str, header: tuple[str, str]) -> Obx:
    ident = [*_components(_field_raw(parts, 3), comp), "", "", ""]
    return Obx(code=ident[0].strip()[:50], text=ident[1].strip()[:100],
               system=ident[2].strip()[:20], value=_field_raw(parts, 5).strip()[:50],
               unit=_field(parts, 6, comp).strip()[:30], status=_field(parts, 11, comp).strip(),
               equipment=_field(parts, 18, comp).strip()[:50],
               observed_at=_time(_field(parts, 14, comp), "OBX-14", control_id, header))


def _field_raw(parts: list[str], index: int) -> str:
    return parts[index] if index < len(parts) else ""


def _field(parts: list[str], index: int, comp: str) -> str:
    """The first component of the field's first repetition."""
    return _components(_field_raw(parts, index), comp)[0]


def _components(value: str, comp: str) -> list[str]:
    return value.split("~", 1)[0].split(comp)


def _time(value: str, where: str, control_id: str, header: tuple[str, str]
          ) -> datetime | None:
    """An HL7 DTM; one without an offset is taken as UTC (gateways are told to send one)."""
    value = value.strip()
    if not value:
        return None
    match = _TS.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second, offset = match.groups()
        tz = UTC
        if offset:
            sign = -1 if offset[0] == "-" else 1
            tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0), tzinfo=tz)
    except ValueError:
        raise Hl7Refused("AE", f"{where} {value[:30]!r} is not a date and time",
                         control_id, header) from None


# --- acknowledgements ----------------------------------------------------------------------

def build_ack(code: str, control_id: str, *, reason: str = "", receiver: tuple[str, str]
              = ("", ""), now: datetime, ack_id: str) -> str:
    """The ACK text (segments ended by CR): MSA with ``code``; ERR with the reason."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S+0000")
    msh = "|".join(["MSH", "^~\\&", "MONITOR_APP", "NURSE_STATION", _escape(receiver[0]),
                    _escape(receiver[1]), stamp, "", "ACK^R01^ACK", ack_id, "P", "2.5.1"])
    segments = [msh, "|".join(["MSA", code, _escape(control_id), _escape(reason[:200])])]
    if code != "AA":
        hl7_code = "207^Application internal error^HL70357" if code == "AE" else \
            "200^Unsupported message type^HL70357"
        segments.append("|".join(["ERR", "", "", hl7_code, "E", "", "", "",
                                  _escape(reason[:200])]))
    return "\r".join(segments) + "\r"


def _escape(text: str) -> str:
    """HL7 escapes, so a reason quoting the sender's text cannot break the ACK."""
    out = text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
    out = out.replace("&", "\\T\\").replace("~", "\\R\\")
    return "".join(c if c.isprintable() else " " for c in out)


def frame(text: str) -> bytes:
    return START + text.encode("utf-8") + END
