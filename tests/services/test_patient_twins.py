"""A patient is not registered twice under two MRNs (attack pass: a nurse who mistyped
the MRN in Find patient, found nobody, ticked New patient and typed the same name and
date of birth with the MRN mistyped again got a second record of the same person: her
last session's weight and escort were not offered, and her history was split)."""

from __future__ import annotations

from datetime import date

import pytest

from monitor_app.domain.models import ValidationErrors
from tests.helpers.world import ESCORT, World, precheck

pytestmark = pytest.mark.usefixtures("fast_pins")


def open_new(w: World, mrn: str, name: str, born: date):
    return w.s.open_episode_for_new_patient(
        w.nurse.id, mrn, name, born, "F", "ketamine-iv", "4", 70, 35, ESCORT, precheck(w.s))


@pytest.mark.parametrize("typed", ["Patient O'Name 0", "patient  o'name 0", "Pátient O'Name 0"])
def test_the_same_name_and_birth_date_under_another_mrn_is_refused(w, typed):
    existing = w.s.patient(w.patient_ids[0])
    with pytest.raises(ValidationErrors) as refused:
        open_new(w, "MRN-0O00", typed, existing.dob)
    message = refused.value.fields["patient_name"]
    assert existing.mrn in message and "already registered" in message
    assert w.s.episodes() == []


def test_the_same_name_with_another_birth_date_is_a_new_patient(w):
    patient, _episode = open_new(w, "MRN-7777", "Patient O'Name 0", date(1991, 5, 5))
    assert patient.mrn == "MRN-7777"
