"""Write resources/sounds/chime.wav: the short two-note chime of a chair turning due.

Generated (not recorded) so its origin and licence are plain: run
``python scripts/make_sounds.py`` to make it again. 16-bit mono PCM, 22.05 kHz, 0.42 s.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
NOTES = ((880.0, 0.18), (660.0, 0.24))  # A5 then E5: a falling "ding-dong"
LEVEL = 0.5  # of full scale; the station's volume setting scales it further
OUT = Path(__file__).resolve().parents[1] / "resources" / "sounds" / "chime.wav"


def note(frequency: float, seconds: float) -> list[int]:
    count = int(RATE * seconds)
    attack, release = RATE * 0.01, RATE * 0.08  # no clicks at either end
    return [
        int(32767 * LEVEL * min(1.0, i / attack) * min(1.0, (count - i) / release)
            * math.sin(2 * math.pi * frequency * i / RATE))
        for i in range(count)
    ]


def main() -> None:
    samples = [s for frequency, seconds in NOTES for s in note(frequency, seconds)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
