"""The bedside monitors' settings: where the station listens, which devices it accepts,
which chair each device (or PV1-3 bed) sits at and how often it is expected to send.

The device → chair mapping is typed one line per device, ``MON-01 = 3``, optionally
with the device's own expected interval in seconds, ``MON-01 = 3, 300`` (a monitor that
sends only its NIBP cycle, say); devices without one use ``quiet_after_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from monitor_app.domain.models import ValidationError
from monitor_app.domain.text import clean_text, text_limit

INTERVAL_RANGE_S = (10, 3600)


@dataclass(frozen=True)
class MonitorSettings:
    enabled: bool = False
    address: str = "127.0.0.1"
    port: int = 2575
    allowlist: tuple[str, ...] = ()  # device ids (MSH-3, MSH-4 or OBX-18)
    chairs: tuple[tuple[str, str], ...] = ()  # (device id or PV1-3 bed, chair)
    quiet_after_s: int = 120  # expected interval of a device that has none of its own
    intervals: tuple[tuple[str, int], ...] = ()  # (device or bed, its expected interval)

    def interval_of(self, device: str) -> int:
        """Seconds a device may be quiet before its chair shows "no signal"."""
        wanted = device.casefold()
        return next((s for d, s in self.intervals if d.casefold() == wanted),
                    self.quiet_after_s)


def check_settings(new: MonitorSettings) -> MonitorSettings:
    address = clean_text(new.address, "monitor_address", "listen address")
    if not isinstance(new.port, int) or not 1 <= new.port <= 65535:
        raise ValidationError("monitor_port", "port must be 1 to 65535")
    low, high = INTERVAL_RANGE_S
    if not low <= new.quiet_after_s <= high:
        raise ValidationError("monitor_quiet", f"quiet time must be {low} to {high} seconds")
    allowlist = tuple(dict.fromkeys(
        clean_text(d, "monitor_allowlist", "device id", size=text_limit("monitor_device"))
        for d in new.allowlist
        if d.strip()))
    chairs = []
    for device, chair in new.chairs:
        if not device.strip() and not chair.strip():
            continue
        chairs.append((clean_text(device, "monitor_chairs", "device or bed",
                                  size=text_limit("monitor_device")),
                       clean_text(chair, "monitor_chairs", "chair", size=text_limit("chair"))))
    if len({d.casefold() for d, _ in chairs}) != len(chairs):
        raise ValidationError("monitor_chairs", "a device or bed is mapped to two chairs")
    mapped = {d.casefold() for d, _ in chairs}
    intervals = []
    for device, seconds in new.intervals:
        if device.strip().casefold() not in mapped:
            raise ValidationError("monitor_chairs", f"{device}: an interval for a device "
                                  "that is not mapped to a chair")
        if not low <= seconds <= high:
            raise ValidationError("monitor_chairs", f"{device}: the interval must be {low} "
                                  f"to {high} seconds")
        intervals.append((device.strip(), seconds))
    return replace(new, address=address, allowlist=allowlist, chairs=tuple(chairs),
                   intervals=tuple(intervals))


def mapping_from_text(text: str) -> tuple[tuple[tuple[str, str], ...],
                                          tuple[tuple[str, int], ...]]:
    """'MON-01 = 3' or 'MON-01 = 3, 300' per line: the (device, chair) pairs and the
    (device, seconds) of the lines that give an interval."""
    pairs, intervals = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        device, sep, rest = line.partition("=")
        chair, comma, seconds = rest.partition(",")
        if not sep or not device.strip() or not chair.strip():
            raise ValidationError("monitor_chairs", f"line {number}: write it as "
                                  "'device = chair', e.g. MON-01 = 3 (or MON-01 = 3, 300 "
                                  "for a device that sends every 300 s)")
        if comma:
            digits = seconds.strip().removesuffix("s").strip()
            if not digits.isdigit():
                raise ValidationError("monitor_chairs", f"line {number}: after the comma, "
                                      "the device's interval in seconds, e.g. MON-01 = 3, 300")
            intervals.append((device.strip(), int(digits)))
        pairs.append((device.strip(), chair.strip()))
    return tuple(pairs), tuple(intervals)


def chairs_from_text(text: str) -> tuple[tuple[str, str], ...]:
    return mapping_from_text(text)[0]


def chairs_text(chairs: tuple[tuple[str, str], ...],
                intervals: tuple[tuple[str, int], ...] = ()) -> str:
    own = {d.casefold(): s for d, s in intervals}
    return "\n".join(f"{device} = {chair}" + (f", {own[device.casefold()]}"
                                               if device.casefold() in own else "")
                     for device, chair in chairs)
