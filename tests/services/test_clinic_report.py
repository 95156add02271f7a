"""The month at a glance, counted on the built history plus a few actions of today:
an acknowledged alert, an override, a voided and a late observation, a REMS filing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader

from monitor_app.domain.models import ValidationError
from monitor_app.reports.clinic_report import median
from tests.helpers.history import History, add_todays_records

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


@pytest.fixture(scope="module")
def month(built_history: History) -> History:
    """Built once: the tests that take it only read."""
    built_history.ack_minutes = add_todays_records(built_history)  # type: ignore[attr-defined]
    return built_history


def test_sessions_by_protocol_and_per_week(month: History) -> None:
    r = month.s.clinic_report.report(NOV_1, NOV_30)
    assert [(p.protocol, p.sessions, p.signed, p.cancelled, p.open) for p in r.by_protocol] == [
        ("Esketamine nasal spray (SPRAVATO REMS)", 5, 4, 0, 1),
        ("IV ketamine infusion", 8, 2, 1, 5)]
    weeks = {w.week_of: w.sessions for w in r.weeks}
    assert weeks[date(2026, 11, 9)] == 2 and weeks[date(2026, 11, 16)] == 11
    assert sum(weeks.values()) == r.sessions == 13


def test_alerts_and_how_soon_they_were_acknowledged(history: History) -> None:
    before = history.s.clinic_report.report(NOV_1, NOV_30)  # the demo acknowledged one
    minutes = add_todays_records(history)
    r = history.s.clinic_report.report(NOV_1, NOV_30)
    assert r.flagged_observations == before.flagged_observations == 4
    assert r.acknowledged_alerts == before.acknowledged_alerts + 1
    assert r.unacknowledged_alerts == before.unacknowledged_alerts - 1
    assert sorted(r.ack_minutes) == sorted((*before.ack_minutes, minutes))
    assert r.ack_median == median([*before.ack_minutes, minutes])


def test_overrides_voids_late_entries_and_rems_forms(month: History) -> None:
    r = month.s.clinic_report.report(NOV_1, NOV_30)
    assert r.overrides_by_criterion == (("Blood pressure", 1),)
    assert [(o.criterion, o.prescriber) for o in r.overrides] == [
        ("Blood pressure", "Helen O'Connor, MD")]
    assert r.voided_entries == 1
    assert r.late_entries == 1
    assert (r.rems_on_time, r.rems_late, r.rems_outstanding) == (1, 0, 3)


def test_minutes_from_end_of_dosing_to_discharge(month: History) -> None:
    r = month.s.clinic_report.report(NOV_1, NOV_30)
    assert sorted(r.discharge_minutes) == [42, 42, 119, 119, 119, 119]
    assert (r.discharge_median, r.discharge_p90) == (119, 119)


def test_a_range_outside_the_history_counts_nothing(month: History) -> None:
    r = month.s.clinic_report.report(date(2026, 10, 1), date(2026, 10, 31))
    assert (r.sessions, r.observations, r.discharge_minutes) == (0, 0, ())


def test_a_range_that_ends_before_it_starts_is_refused(month: History) -> None:
    with pytest.raises(ValidationError) as refused:
        month.s.clinic_report.report(NOV_30, NOV_1)
    assert refused.value.field == "report_to"


def test_the_pdf_and_csv_say_the_same(month: History) -> None:
    use = month.s.clinic_report
    data = use.report(NOV_1, NOV_30)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(use.report_pdf(data))).pages)
    for words in ("Riverside Ketamine Clinic: month at a glance", "Sessions per week",
                  "Flagged observations per week", "Overrides by criterion",
                  "Usual BP for this patient", "1 on time, 0 late, 3 outstanding",
                  "median 119 min"):
        assert words in text, words
    rows = list(csv.reader(io.StringIO(use.report_csv(data).decode("utf-8"))))
    values = {(section, item): value for section, item, value in rows[1:]}
    assert values[("sessions", "total")] == "13"
    assert values[("rems forms", "filed on time")] == "1"
    assert values[("discharge", "median minutes from end of dosing to discharge")] == "119.0"
