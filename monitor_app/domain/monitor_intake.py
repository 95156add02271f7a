"""One framed message from a monitor in, one ACK and (maybe) one reading out.

Pure: the listener (services) calls ``take_message`` for every frame and sends the
ACK it returns; the reading goes to whoever routes it to a chair's open episode. A
reading is never an observation: the nurse confirms it in the entry form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from monitor_app.domain.hl7_message import Hl7Refused, build_ack, decode, parse_oru
from monitor_app.domain.monitor_codes import CodeTable, form_values
from monitor_app.domain.protocol import Protocol

CLOCK_AHEAD_ALLOWED = timedelta(minutes=5)  # a monitor's clock a little ahead of ours


@dataclass(frozen=True)
class MonitorConfig:
    table: CodeTable
    protocols: tuple[Protocol, ...]
    allowlist: frozenset[str]  # casefolded device ids; empty = every message refused
    chairs: Mapping[str, str]  # casefolded device id or PV1-3 bed -> chair


@dataclass(frozen=True)
class MonitorReading:
    control_id: str
    device: str  # the identifier that matched the allowlist
    chair: str  # "" when neither the device nor the bed is mapped to a chair
    taken_at: datetime
    received_at: datetime
    values: dict[str, str] = field(default_factory=dict)  # form key -> text
    refused: dict[str, str] = field(default_factory=dict)  # form key -> message
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intake:
    code: str  # AA, AE or AR
    reason: str
    ack: str
    reading: MonitorReading | None


def take_message(data: bytes, config: MonitorConfig, now: datetime, ack_id: str) -> Intake:
    """Parse, check the sender, map and check the values; never raises."""
    try:
        message = parse_oru(decode(data))
    except Hl7Refused as exc:
        return _intake(exc.code, exc.reason, exc.control_id, exc.header, now, ack_id, None)
    header = (message.sending_app, message.sending_facility)
    device = next((d for d in message.devices if d.casefold() in config.allowlist), None)
    if device is None:
        shown = ", ".join(message.devices) or "(none)"
        return _intake("AR", f"device {shown[:80]} is not on the station's allowlist",
                       message.control_id, header, now, ack_id, None)
    taken_at = message.observed_at or next(
        (o.observed_at for o in message.results if o.observed_at), None) or message.sent_at or now
    if taken_at > now + CLOCK_AHEAD_ALLOWED:
        return _intake("AE", "observation time is after the station's clock",
                       message.control_id, header, now, ack_id, None)
    mapped = form_values(message.results, config.table, config.protocols)
    if not mapped.values and not mapped.refused:
        ignored = "; ".join(mapped.ignored)[:150]
        return _intake("AE", f"no vital sign the station knows ({ignored})",
                       message.control_id, header, now, ack_id, None)
    chair = next((config.chairs[k.casefold()] for k in (*message.devices, message.bed)
                  if k and k.casefold() in config.chairs), "")
    reading = MonitorReading(control_id=message.control_id, device=device, chair=chair,
                             taken_at=min(taken_at, now), received_at=now,
                             values=mapped.values, refused=mapped.refused,
                             ignored=mapped.ignored)
    if mapped.refused:
        return _intake("AE", "; ".join(mapped.refused.values()), message.control_id, header,
                       now, ack_id, reading)
    return _intake("AA", "", message.control_id, header, now, ack_id, reading)


def refuse_frame(reason: str, now: datetime, ack_id: str) -> str:
    """The ACK for a frame that cannot even be read (too large, not framed)."""
    return build_ack("AR", "", reason=reason, now=now, ack_id=ack_id)


def _intake(code: str, reason: str, control_id: str, header: tuple[str, str], now: datetime,
            ack_id: str, reading: MonitorReading | None) -> Intake:
    ack = build_ack(code, control_id, reason=reason, receiver=header, now=now, ack_id=ack_id)
    return Intake(code, reason, ack, reading)


def reading_to_dict(reading: MonitorReading) -> dict[str, object]:
    """JSON-able, for keeping a pending reading across a restart."""
    return {"control_id": reading.control_id, "device": reading.device,
            "chair": reading.chair, "taken_at": reading.taken_at.isoformat(),
            "received_at": reading.received_at.isoformat(), "values": dict(reading.values),
            "refused": dict(reading.refused), "ignored": list(reading.ignored)}


def reading_from_dict(data: Mapping[str, Any]) -> MonitorReading:
    return MonitorReading(
        control_id=str(data["control_id"]), device=str(data["device"]),
        chair=str(data["chair"]), taken_at=datetime.fromisoformat(data["taken_at"]),
        received_at=datetime.fromisoformat(data["received_at"]),
        values={str(k): str(v) for k, v in data["values"].items()},
        refused={str(k): str(v) for k, v in data["refused"].items()},
        ignored=tuple(str(i) for i in data["ignored"]))
