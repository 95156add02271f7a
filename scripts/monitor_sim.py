"""Simulated bedside monitors: ORU^R01 readings over MLLP for several chairs.

    python scripts/monitor_sim.py --port 2575 --devices MON-01,MON-02,MON-03 --every 30

Each device is one patient: HR and blood pressure drift up during a 40-minute infusion
(staggered by device) and come back afterwards, with a little noise; SpO2 and RR wander
within normal. Every message's ACK code is printed (AA accepted, AE/AR refused with the
station's reason). Standard library only, so a clinic can run it on any machine.
"""

from __future__ import annotations

import argparse
import math
import random
import socket
import sys
import time
from datetime import UTC, datetime

START, END = b"\x0b", b"\x1c\x0d"


def vitals(minute: float, infusion_min: float, rng: random.Random) -> dict[str, float]:
    """Baseline, a rise to a plateau while the infusion runs, then back over 30 min."""
    if minute < 0:
        effect = 0.0
    elif minute < infusion_min:
        effect = min(1.0, minute / 15)
    else:
        effect = max(0.0, 1 - (minute - infusion_min) / 30)
    return {"hr": 72 + 16 * effect + rng.gauss(0, 2),
            "sbp": 122 + 22 * effect + rng.gauss(0, 3),
            "dbp": 78 + 11 * effect + rng.gauss(0, 2),
            "spo2": min(100, 97 + rng.gauss(0, 1)),
            "rr": 14 + 2 * math.sin(minute / 7) + rng.gauss(0, 0.7)}


def message(device: str, values: dict[str, float], control_id: str, now: datetime) -> str:
    when = now.strftime("%Y%m%d%H%M%S+0000")
    rows = (("147842", "MDC_ECG_HEART_RATE", values["hr"], "264864^MDC_DIM_BEAT_PER_MIN"),
            ("150021", "MDC_PRESS_BLD_NONINV_SYS", values["sbp"], "266016^MDC_DIM_MMHG"),
            ("150022", "MDC_PRESS_BLD_NONINV_DIA", values["dbp"], "266016^MDC_DIM_MMHG"),
            ("150456", "MDC_PULS_OXIM_SAT_O2", values["spo2"], "262688^MDC_DIM_PERCENT"),
            ("151562", "MDC_RESP_RATE", values["rr"], "264928^MDC_DIM_RESP_PER_MIN"))
    segments = [f"MSH|^~\\&|SIM_GATEWAY|{device}|MONITOR_APP|CLINIC|{when}||ORU^R01^ORU_R01|"
                f"{control_id}|P|2.6|||AL|NE||UNICODE UTF-8",
                f"OBR|1|||182777000^monitoring of patient^SCT|||{when}"]
    for n, (code, name, value, unit) in enumerate(rows, start=1):
        segments.append(f"OBX|{n}|NM|{code}^{name}^MDC|1.1.1.{n}|{round(value)}|{unit}^MDC"
                        f"|||||F|||{when}||||{device}")
    return "\r".join(segments) + "\r"


def send(host: str, port: int, text: str, timeout: float = 10.0) -> str:
    """One message on its own connection; the ACK's MSA code and reason."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(START + text.encode("utf-8") + END)
        data = b""
        while END not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return "no ACK (connection closed)"
            data += chunk
    ack = data[data.index(START) + 1:data.index(END)].decode("utf-8", "replace")
    msa = next((s.split("|") for s in ack.split("\r") if s.startswith("MSA")), ["MSA", "?"])
    return " ".join(msa[1:2] + msa[3:4])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2575)
    parser.add_argument("--devices", default="MON-01,MON-02,MON-03",
                        help="comma-separated device ids (sent as MSH-4 and OBX-18)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between readings")
    parser.add_argument("--count", type=int, default=0, help="rounds to send (0 = forever)")
    parser.add_argument("--infusion-min", type=float, default=40.0)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="simulated minutes per real minute (e.g. 10 to see the drift)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    devices = [d.strip() for d in args.devices.split(",") if d.strip()]
    rng = random.Random(args.seed)
    began = time.monotonic()
    rounds = 0
    while args.count == 0 or rounds < args.count:
        elapsed_min = (time.monotonic() - began) / 60 * args.speed
        for index, device in enumerate(devices):
            minute = elapsed_min - 10 - 8 * index  # each chair starts its infusion later
            now = datetime.now(UTC)
            control = f"{device}-{rounds:06d}"
            text = message(device, vitals(minute, args.infusion_min, rng), control, now)
            try:
                result = send(args.host, args.port, text)
            except OSError as exc:
                result = f"not sent: {exc}"
            print(f"{now:%H:%M:%S} {device} {control}: {result}", flush=True)
        rounds += 1
        if args.count and rounds >= args.count:
            break
        time.sleep(args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
