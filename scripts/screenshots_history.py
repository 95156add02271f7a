"""Screenshots of the history, REMS queue and month-at-a-glance windows, and a PNG of
the month's report PDF, from the built history (tests/helpers/history.py: the
demo on 2026-11-20 plus older signed sessions, one REMS form filed):

    Xvfb :99 -screen 0 1280x800x24 & DISPLAY=:99 openbox &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python scripts/screenshots_history.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshots import save, settle  # noqa: E402

from monitor_app.gui.app import apply_style  # noqa: E402
from monitor_app.gui.common.session import Session  # noqa: E402
from monitor_app.gui.history.history_window import HistoryWindow  # noqa: E402
from monitor_app.gui.rems.rems_queue_window import RemsQueueWindow  # noqa: E402
from monitor_app.gui.report.report_window import ReportWindow  # noqa: E402
from tests.helpers.history import add_todays_records, build_history  # noqa: E402


def main() -> int:
    out = ROOT / "docs"
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_style(app)
    with tempfile.TemporaryDirectory() as folder:
        h = build_history(Path(folder))
        try:
            add_todays_records(h)
            admin = h.staff("1111")
            noah = next(i for i in h.s.rems_queue.queue() if i.patient_name == "Noah Fischer")
            h.s.rems_queue.mark_submitted(admin, noah.episode_id, date(2026, 11, 20),
                                          "SPR-2026-118842")
            session = Session(h.s)
            session.sign_in(h.s.staff_member(admin))
            history = HistoryWindow(session, lambda _id: None)
            history.search.setText("brandt")
            history._on_run_clicked()
            history.showMaximized()
            settle(app, 20)
            save(history, out / "history.png")
            history.close()
            rems = RemsQueueWindow(session)
            rems.table.selectRow(2)  # a filed form: record a correction or withdraw it
            rems.showMaximized()
            settle(app, 20)
            save(rems, out / "rems-queue.png")
            rems.close()
            report = ReportWindow(session)
            report.showMaximized()
            settle(app, 30)
            save(report, out / "month-at-a-glance.png")
            report.close()
            data = h.s.clinic_report.report(date(2026, 11, 1), date(2026, 11, 30))
            pdf = Path(folder) / "report.pdf"
            pdf.write_bytes(h.s.clinic_report.report_pdf(data))
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf),
                            str(out / "month-at-a-glance-pdf")], check=True)
            print(f"wrote {out / 'month-at-a-glance-pdf.png'}")
        finally:
            h.s.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
