"""The board's columns are as wide as their widest text: no chair, countdown, status or
vitals is cut, whatever font its cell uses (the big bold chair and countdown, the bold
status of an alerting row, the two-line recheck). Only the columns made to elide
(patient, protocol, vitals: ``MAX_WIDTH``) stop at their cap.

The widths are measured from the model's text and fonts; Qt's own measure (the cell
delegate's size hint, which ``resizeColumnsToContents`` uses) is the reference here."""

from __future__ import annotations

import pytest

from monitor_app.domain.models import Escort
from monitor_app.gui.board.board import COL_NEXT, COL_STATUS, HEADERS, MAX_WIDTH
from monitor_app.gui.board.main_window import MainWindow
from tests.helpers.gui import cell

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]
GOOD = {"hr": "76", "bp": "124/78", "spo2": "98", "rr": "14", "moaas": "5",
        "dissociation": "0"}
LONG_NAME = "Maximiliana Wolfeschlegelsteinhausen-Bergerdorff"


def _open(services, nurse: int, chair: str, mrn: str, name: str) -> int:
    patient = services.add_patient(nurse, mrn, name, "1975-02-03", "F")
    protocol = services.protocols["ketamine-iv"]
    episode = services.open_episode(
        nurse, patient.id, "ketamine-iv", chair, 80, 40,
        Escort("Kim", "friend", "555-0199"), {i.key: True for i in protocol.precheck})
    services.record_observation(nurse, episode.id, GOOD)
    return episode.id


@pytest.fixture
def busy_board(qtbot, session, services, staff, clock, episode_id) -> MainWindow:
    """Chairs in every state whose text or font differs: overdue (big bold), flagged
    with a BP recheck (two bold lines), a very long name, a two-digit chair."""
    nurse = staff["nurse"]
    services.start_dosing(nurse, episode_id)
    flagged = _open(services, nurse, "12", "MRN-12", LONG_NAME)
    services.start_dosing(nurse, flagged)
    clock.advance(minutes=5)
    services.record_observation(nurse, flagged, dict(GOOD, bp="184/112", hr="131"))
    three = _open(services, nurse, "3", "MRN-3", "Al Bo")
    clock.advance(minutes=7)  # chair 1's first dosing check is overdue
    services.record_observation(nurse, three, dict(GOOD, hr="131"))  # flagged, on time
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.tick_timer.stop()
    window.reload_timer.stop()
    window.resize(2400, 800)  # room for every column: nothing has to give way
    window.show()
    qtbot.waitExposed(window)
    return window


def test_every_cell_and_header_fits_its_column(busy_board):
    window, board, model = busy_board, busy_board.board, busy_board.model
    texts = [cell(window, r, c) for r in range(model.rowCount()) for c in range(len(HEADERS))]
    assert "⚠ OVERDUE" in texts and any("recheck" in t for t in texts)
    assert any(t.startswith("⚑ FLAGGED") for t in texts)
    grid = 1 if board.showGrid() else 0
    header = board.horizontalHeader()
    for column in range(len(HEADERS)):
        needed = max([header.sectionSizeHint(column)]
                     + [board.sizeHintForIndex(model.index(row, column)).width() + grid
                        for row in range(model.rowCount())])
        allowed = min(needed, MAX_WIDTH.get(column, needed))
        assert board.columnWidth(column) >= allowed, (HEADERS[column], needed)
    name_column = [c for c in MAX_WIDTH if any(
        LONG_NAME in cell(window, r, c) for r in range(model.rowCount()))]
    assert name_column and board.columnWidth(name_column[0]) <= 2400 - 100  # elided, capped


def test_the_measured_widths_are_qts_own(busy_board):
    board = busy_board.board
    measured = board.contents_widths()
    board.resizeColumnsToContents()
    assert measured == [board.columnWidth(c) for c in range(len(HEADERS))]
    assert measured[COL_NEXT] > 0 and measured[COL_STATUS] > 0
