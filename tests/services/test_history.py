"""History: today's closed episodes and a search of past ones."""

from __future__ import annotations

from datetime import date

import pytest

from monitor_app.domain.models import ValidationError
from monitor_app.services.history import HistoryQuery
from tests.helpers.history import DAY, NOAH, History, long_stay_closed_today


def test_today_lists_the_discharged_and_cancelled_episodes_of_today(
        built_history: History) -> None:
    today = built_history.s.history.today()
    assert [(r.patient_name, r.outcome) for r in today] == [
        ("Grace Adeyemi", "cancelled: Patient felt unwell before dosing; rebooked"),
        ("Noah Fischer", "discharged (signed)"),
        ("Eleni Papadopoulou", "discharged (signed)"),
    ]


def test_search_by_name_start_mrn_and_episode_number(built_history: History) -> None:
    search = built_history.s.history.search
    by_name = search(HistoryQuery("brandt oli"))
    assert [r.started_at.date() for r in by_name] == [date(2026, 11, 19), date(2026, 11, 17),
                                                     date(2026, 11, 11)]
    assert {r.mrn for r in search(HistoryQuery("mrn 100240"))} == {"MRN-100240"}
    number = by_name[1].number
    assert [r.number for r in search(HistoryQuery(number.lower()))] == [number]


def test_search_by_date_range_and_protocol(built_history: History) -> None:
    rows = built_history.s.history.search(HistoryQuery(
        date_from=date(2026, 11, 11), date_to=date(2026, 11, 17), protocol_id="esketamine-rems"))
    assert [(r.patient_name, r.started_at.date()) for r in rows] == [
        ("Sofía Ramírez", date(2026, 11, 14)), ("Oliver Brandt", date(2026, 11, 11))]


def test_active_episodes_are_not_history(built_history: History) -> None:
    assert built_history.s.history.search(HistoryQuery("Dana")) == []


@pytest.mark.parametrize(("query", "field"), [
    (HistoryQuery(), "history_search"),
    (HistoryQuery(date_from=date(2026, 11, 2), date_to=date(2026, 11, 1)), "history_to"),
    (HistoryQuery(protocol_id="nope"), "history_protocol"),
])
def test_a_search_that_cannot_be_run_says_why(built_history: History, query: HistoryQuery,
                                              field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        built_history.s.history.search(query)
    assert refused.value.field == field


def test_today_lists_episodes_opened_days_ago_and_closed_today(history: History) -> None:
    """'Today' means closed today: a stay opened two days ago and discharged this
    morning, and an episode opened three days ago and cancelled today, are both there;
    one cancelled yesterday is not."""
    long_stay = long_stay_closed_today(history)
    b, s = history.builder, history.s
    s.clock = b.clock  # the builder places each step at its own time before NOW
    nurse = b.staff["2222"]
    cancelled_today = b._open(b.patients[NOAH], "5", "ketamine-iv", nurse, 3 * DAY, 80, 40)
    b.at(5)
    s.cancel_episode(nurse, cancelled_today, "rebooked")
    cancelled_yesterday = b._open(b.patients[6], "10", "ketamine-iv", nurse,
                                  3 * DAY, 80, 40)
    b.at(DAY)
    s.cancel_episode(nurse, cancelled_yesterday, "rebooked")
    s.clock = history.clock

    today = s.history.today()
    ids = [r.episode_id for r in today]
    assert ids[-2:] == [long_stay, cancelled_today]  # the latest opened first
    assert cancelled_yesterday not in ids
    assert [r.outcome for r in today[-2:]] == ["discharged (signed)", "cancelled: rebooked"]
    assert today[-2].started_at.date() == date(2026, 11, 18)
    assert len(today) == 5  # with the demo's three of today
