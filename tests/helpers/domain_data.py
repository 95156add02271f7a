"""Shared data for the domain tests: the shipped protocols and score tables.

Plain module-level values rather than pytest fixtures, because the edge cases are
generated from the protocols at collection time (``parametrize``).
"""

from __future__ import annotations

from pathlib import Path

from monitor_app.domain.models import Vitals
from monitor_app.domain.protocol import Protocol, load_protocols
from monitor_app.domain.scores import load_aldrete, load_news2

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
PROTOCOLS: dict[str, Protocol] = load_protocols(RESOURCES / "protocols")
PROTOCOL_IDS = sorted(PROTOCOLS)
IV = PROTOCOLS["ketamine-iv"]
NEWS2_PATH = RESOURCES / "scores" / "news2.toml"
ALDRETE_PATH = RESOURCES / "scores" / "aldrete.toml"
NEWS2 = load_news2(NEWS2_PATH)
ALDRETE = load_aldrete(ALDRETE_PATH)

# A form filled in with unremarkable values: parses, raises no alert, NEWS2 0.
NORMAL_RAW: dict[str, object] = {
    "hr": "72", "bp": "122/78", "spo2": "97", "rr": "16", "temp": "36.8",
    "on_oxygen": False, "moaas": "5", "dissociation": "0", "side_effects": [],
    "note": "", "missing_reason": "",
}
NORMAL = Vitals(hr=72, sbp=122, dbp=78, spo2=97, rr=16, temp_c=36.8, moaas=5, dissociation=0)


def raw(**changes: object) -> dict[str, object]:
    """``NORMAL_RAW`` with some fields replaced."""
    return {**NORMAL_RAW, **changes}
