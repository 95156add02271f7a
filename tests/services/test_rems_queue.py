"""The REMS filing queue: each signed esketamine session's form with its days left,
the board's count, and an administrator's note that it was filed (audited)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor_app.domain.models import ValidationError
from monitor_app.services.errors import NotAllowed
from monitor_app.services.rems_queue import RemsFormState
from tests.helpers.history import History

ADMIN, NURSE = "1111", "2222"


def by_patient(h: History) -> dict[str, list]:
    found: dict[str, list] = {}
    for item in h.s.rems_queue.queue():
        found.setdefault(item.patient_name, []).append(item)
    return found


def test_every_signed_esketamine_session_has_a_form_due_seven_days_after(
        built_history: History) -> None:
    queue = built_history.s.rems_queue.queue()
    assert [(i.patient_name, i.days_left, i.state) for i in queue] == [
        ("Oliver Brandt", -2, RemsFormState.OVERDUE),
        ("Sofía Ramírez", 1, RemsFormState.DUE_SOON),
        ("Oliver Brandt", 6, RemsFormState.DUE),
        ("Noah Fischer", 7, RemsFormState.DUE),
    ]
    assert queue[0].days_text == "OVERDUE by 2 days"
    assert queue[1].days_text == "1 day left"
    assert all(i.due_on - i.session_date == timedelta(days=7) for i in queue)
    assert "IV" not in {i.protocol_id for i in queue}


def test_the_due_days_come_from_the_protocol_file(built_history: History) -> None:
    rule = built_history.s.protocols["esketamine-rems"].rems_filing
    assert rule is not None and rule.form_due_days == 7 and rule.due_soon_days == 2
    assert built_history.s.protocols["ketamine-iv"].rems_filing is None


def test_the_board_summary_counts_forms_due_soon_and_late(built_history: History) -> None:
    counts = built_history.s.rems_queue.counts()
    assert (counts.overdue, counts.due_soon) == (1, 1)
    assert counts.text == "REMS forms: 1 overdue, 1 due soon"


def test_an_administrator_marks_a_form_filed_in_one_audited_row(history: History) -> None:
    late = by_patient(history)["Oliver Brandt"][0]
    item = history.s.rems_queue.mark_submitted(history.staff(ADMIN), late.episode_id,
                                               date(2026, 11, 19), "REMS-88812")
    assert item.state == RemsFormState.FILED_LATE
    assert item.days_text == "filed 2026-11-19 (late)"
    assert history.s.rems_queue.counts().overdue == 0
    events = [e for e in history.s.db.execute(
        "SELECT action, table_name FROM audit WHERE table_name = 'rems_submissions'")]
    assert events == [("add_rems_submission", "rems_submissions")]
    assert history.s.verify() == []


def test_a_correction_supersedes_with_a_reason_and_keeps_the_first_note(
        history: History) -> None:
    item = by_patient(history)["Sofía Ramírez"][0]
    admin = history.staff(ADMIN)
    history.s.rems_queue.mark_submitted(admin, item.episode_id, date(2026, 11, 18), "A-1")
    with pytest.raises(ValidationError) as refused:
        history.s.rems_queue.mark_submitted(admin, item.episode_id, date(2026, 11, 18), "A-2")
    assert refused.value.field == "reason"
    fixed = history.s.rems_queue.mark_submitted(admin, item.episode_id, date(2026, 11, 18),
                                                "A-12", reason="typo in the number")
    assert (fixed.confirmation, fixed.state) == ("A-12", RemsFormState.FILED)
    notes = history.s.rems_queue.history(item.episode_id)
    assert [(n.confirmation, n.supersedes) for n in notes] == [("A-1", None),
                                                               ("A-12", notes[0].id)]
    withdrawn = history.s.rems_queue.mark_submitted(admin, item.episode_id, None, "",
                                                    reason="filed for the wrong session")
    assert withdrawn.state == RemsFormState.DUE_SOON
    assert history.s.verify() == []


def test_the_filing_note_cannot_be_changed_in_place(history: History) -> None:
    item = by_patient(history)["Noah Fischer"][0]
    history.s.rems_queue.mark_submitted(history.staff(ADMIN), item.episode_id,
                                        date(2026, 11, 20), "N-1")
    with pytest.raises(Exception, match="never changed"):
        history.s.db.execute("UPDATE rems_submissions SET confirmation = 'X'")
    with pytest.raises(Exception, match="never deleted"):
        history.s.db.execute("DELETE FROM rems_submissions")


@pytest.mark.parametrize(("day", "number", "field"), [
    (date(2026, 11, 21), "F-1", "rems_submitted_on"),   # tomorrow
    (date(2026, 11, 1), "F-1", "rems_submitted_on"),    # before the session
    (date(2026, 11, 20), "  ", "rems_confirmation"),
])
def test_a_bad_filing_is_refused_next_to_its_field_and_nothing_saved(
        built_history: History, day: date, number: str, field: str) -> None:
    history = built_history  # refused: nothing is written
    item = by_patient(history)["Noah Fischer"][0]
    with pytest.raises(ValidationError) as refused:
        history.s.rems_queue.mark_submitted(history.staff(ADMIN), item.episode_id, day, number)
    assert refused.value.field == field
    assert history.s.rems_queue.history(item.episode_id) == []


def test_only_an_administrator_records_a_filing(built_history: History) -> None:
    history = built_history  # refused: nothing is written
    item = by_patient(history)["Noah Fischer"][0]
    with pytest.raises(NotAllowed):
        history.s.rems_queue.mark_submitted(history.staff(NURSE), item.episode_id,
                                            date(2026, 11, 20), "N-1")
