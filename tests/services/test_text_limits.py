"""One bound per free-text field, kept by the domain's text rule (domain.text.TEXT_LIMITS):
the same thing written in two places (an escort's name at entry and at discharge, a
reason) is bounded the same, whichever use case takes it."""

from __future__ import annotations

import pytest

from monitor_app.domain.discharge import ManualAnswer
from monitor_app.domain.models import Escort, ValidationError
from monitor_app.domain.text import TEXT_LIMITS, text_limit
from tests.helpers.world import World, open_iv, precheck

pytestmark = pytest.mark.usefixtures("fast_pins")


def test_an_escorts_name_has_one_bound_at_entry_and_at_discharge(w: World):
    limit = text_limit("escort_name")
    too_long = "E" * (limit + 1)
    with pytest.raises(ValidationError, match=f"at most {limit}") as at_entry:
        w.s.open_episode(w.nurse.id, w.patient_ids[1], "ketamine-iv", "9", 70, 35,
                         Escort(too_long, "partner", "555"), precheck(w.s))
    episode = open_iv(w)
    item = next(i for i in w.s.protocols["ketamine-iv"].manual
                if "escort_name" in i.details)
    details = dict.fromkeys(item.details, "x") | {"escort_name": too_long}
    with pytest.raises(ValidationError, match=f"at most {limit}") as at_discharge:
        w.s.answer_manual(w.nurse.id, episode.id, item.key,
                          ManualAnswer(True, False, details))
    assert at_entry.value.field == at_discharge.value.field == "escort_name"
    details["escort_name"] = "E" * limit
    w.s.answer_manual(w.nurse.id, episode.id, item.key, ManualAnswer(True, False, details))


def test_an_observation_note_is_bounded_by_the_text_rule(w: World):
    from tests.helpers.world import good

    episode = open_iv(w)
    limit = text_limit("note")
    with pytest.raises(ValidationError, match=f"at most {limit}"):
        w.s.record_observation(w.nurse.id, episode.id, good(note="n" * (limit + 1)))
    row = w.s.record_observation(w.nurse.id, episode.id, good(note="n" * limit))
    assert len(row.observation.vitals.note) == limit


def test_every_bound_is_a_positive_whole_number():
    assert all(isinstance(v, int) and v > 0 for v in TEXT_LIMITS.values())
    assert text_limit("no such field") == text_limit("meaning")  # one line by default
