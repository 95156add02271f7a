"""The sheet marks an observation confirmed from a bedside monitor "(monitor)" under the
initials of who confirmed it, in legible type, on its own row and no other."""

from __future__ import annotations

import io

from pypdf import PdfReader

from monitor_app.domain.models import ObservationSource
from tests.helpers.world import good, make_world, open_iv


def fragments(pdf: bytes) -> list[tuple[str, float, float, float]]:
    """(text, x, y, font size) of every text run on the first page."""
    found: list[tuple[str, float, float, float]] = []

    def visit(text, cm, tm, _font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x, y, size * abs(tm[0] or 1) * abs(cm[0] or 1)))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def test_monitor_mark_sits_under_the_initials_of_each_monitor_row(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    episode = open_iv(w)
    w.s.record_observation(w.nurse.id, episode.id, good())  # typed
    for hr in ("81", "84"):
        w.clock.advance(minutes=5)
        w.s.record_observation(w.nurse.id, episode.id, good(hr=hr),
                               source=ObservationSource.MONITOR)
    runs = fragments(w.s.sheet_pdf(episode.id))
    w.s.close()
    by = next(x for text, x, _y, _s in runs if text == "By")
    marks = [(x, y, size) for text, x, y, size in runs if text == "(monitor)"]
    assert len(marks) == 2  # the two monitor rows, not the typed baseline
    initials = [(x, y) for text, x, y, _s in runs if text == "NN"]
    assert len(initials) == 3
    for x, y, size in marks:
        assert abs(x - by) < 25  # in the By column
        assert size >= 7  # as large as the sheet's smallest notes, not a footnote
        above = [iy for ix, iy in initials if abs(ix - x) < 25 and 0 < iy - y < 12]
        assert above, "each mark sits right under the initials of its own row"
