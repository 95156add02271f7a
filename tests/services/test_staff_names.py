"""Two members of staff never share a name: the sign-in list, the prescriber list and
every signed record tell people apart by it (attack pass: an administrator could add
"Nina Nurse" twice, or rename the doctor to the nurse's name, and the sign-in box then
offered two identical entries; a PIN typed under the wrong one counted against the
other person)."""

from __future__ import annotations

import pytest

from monitor_app.domain.models import Role, ValidationError
from tests.helpers.world import World

pytestmark = pytest.mark.usefixtures("fast_pins")
PIN = "246813"


def names(w: World) -> list[str]:
    return sorted(m.name for m in w.s.staff(include_inactive=True))


@pytest.mark.parametrize("typed", ["Nina Nurse", " nina  NURSE ", "Nîna Nurse"])
def test_a_second_member_with_the_same_name_is_refused_and_nobody_is_added(w, typed):
    before = names(w)
    with pytest.raises(ValidationError) as refused:
        w.s.add_staff(w.admin.id, typed, "RN", Role.NURSE, PIN, PIN)
    assert refused.value.field == "name"
    assert "Nina Nurse" in refused.value.message and "already" in refused.value.message
    assert names(w) == before


def test_renaming_someone_to_another_members_name_is_refused(w):
    with pytest.raises(ValidationError) as refused:
        w.s.update_staff(w.admin.id, w.md.id, "Nina Nurse", "MD", Role.PRESCRIBER, True)
    assert refused.value.field == "name"
    assert w.s.staff_member(w.md.id).name == "Mo Doctor"


def test_an_inactive_member_keeps_the_name_and_the_message_says_so(w):
    w.s.update_staff(w.admin.id, w.nurse.id, "Nina Nurse", "RN", Role.NURSE, False)
    with pytest.raises(ValidationError) as refused:
        w.s.add_staff(w.admin.id, "Nina Nurse", "RN", Role.NURSE, PIN, PIN)
    assert "inactive" in refused.value.message


def test_editing_a_member_without_changing_the_name_still_saves(w):
    changed = w.s.update_staff(w.admin.id, w.nurse.id, "Nina Nurse", "RN, BSN", Role.NURSE, True)
    assert changed.credentials == "RN, BSN"
