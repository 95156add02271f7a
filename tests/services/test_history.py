"""History: today's closed episodes and a search of past ones."""

from __future__ import annotations

from datetime import date

import pytest

from monitor_app.domain.models import ValidationError
from monitor_app.services.history import HistoryQuery
from tests.helpers.history import History


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
