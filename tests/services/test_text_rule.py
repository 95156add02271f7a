"""Issue 9, finding 8: one text rule for every free-text field and setting; MRN
look-alikes are one patient; a deactivated member cannot act; a long clinic address
cannot break signing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from monitor_app.domain.discharge import ManualAnswer
from monitor_app.domain.models import Escort, Role, ValidationError
from monitor_app.domain.text import clean_text, mrn_key
from monitor_app.services import NotAllowed
from monitor_app.storage import repository as repo
from tests.helpers.world import (
    ADMIN_PIN,
    ESCORT,
    MD_PIN,
    NURSE_PIN,
    World,
    answer_everything,
    count_rows,
    good,
    open_iv,
    precheck,
    to_ready,
)

pytestmark = pytest.mark.usefixtures("fast_pins")
LONE = "Ann\ud800e"  # a lone surrogate: cannot be written as UTF-8


# ---------------------------------------------------------------- the rule itself
@pytest.mark.parametrize(("text", "refusal"), [
    ("Ann\u202eeoJ", "text-direction"),      # displays as "Ann Joe" reversed
    ("Ann\u2066Joe\u2069", "text-direction"),
    ("Ann\u200bJoe", "zero-width"),
    ("Ann\u200dJoe", "zero-width"),
    ("Ann\u2060Joe", "zero-width"),
    ("\ufeffAnn", "zero-width"),
    ("Ann\x85Joe", "control characters"),   # C1 next line
    ("Ann\x9bJoe", "control characters"),   # C1 CSI
    ("Ann\x1bJoe", "control characters"),
    ("Ann\nJoe", "control characters"),      # one-line field
    ("Ann\ufdd0", "noncharacter"),
    ("Ann\uffff", "noncharacter"),
    ("Ann\U0010fffe", "noncharacter"),
    (LONE, "surrogate"),
])
def test_disguising_characters_are_refused_naming_the_field(text, refusal):
    with pytest.raises(ValidationError) as refused:
        clean_text(text, "patient_name", "patient's name")
    assert refused.value.field == "patient_name" and refusal in refused.value.message


def test_text_is_nfc_and_bounded():
    assert clean_text("  Jose\u0301 ", "name", "name") == "Jos\u00e9"
    assert clean_text("a\r\nb\tc", "note", "note", multiline=True) == "a\nb\tc"
    with pytest.raises(ValidationError, match="at most 5"):
        clean_text("abcdef", "x", "x", size=5)


def test_mrn_canonical_form():
    full_width = "\uff2d\uff32\uff2e\uff10\uff10\uff14\uff12"
    assert mrn_key("MRN-0042") == mrn_key("mrn 0042") == mrn_key(full_width)
    assert mrn_key("MRN-0042") != mrn_key("MRN-0043")


# ---------------------------------------------------------------- through the services
def test_look_alike_mrns_are_one_patient(w: World):
    before = count_rows(w.path, "patients")
    full_width = "\uff2d\uff32\uff2e-\uff10\uff10\uff10\uff10"
    for look_alike in ("mrn-0000", "MRN 0000", "MRN0000", full_width, "MRN\u20130000"):
        with pytest.raises(ValidationError) as refused:
            w.s.add_patient(w.nurse.id, look_alike, "Someone Else", "1990-01-01")
        assert refused.value.field == "mrn" and "MRN-0000" in refused.value.message
    for hidden in ("MRN-0000\u200b", "\u202eMRN-0000"):
        with pytest.raises(ValidationError):
            w.s.add_patient(w.nurse.id, hidden, "Someone Else", "1990-01-01")
    assert count_rows(w.path, "patients") == before
    assert [p.mrn for p in w.s.find_patients("mrn 0000")] == ["MRN-0000"]


def _calls(w: World, episode_id: int, observation_id: int):
    s, n = w.s, w.nurse.id
    yield "add_patient", lambda: s.add_patient(n, "MRN-9", LONE, "1990-01-01")
    yield "add_patient mrn", lambda: s.add_patient(n, LONE, "Ann", "1990-01-01")
    yield "open_episode", lambda: s.open_episode(n, w.patient_ids[1], "ketamine-iv", LONE, 70,
                                                 35, ESCORT, precheck(s))
    yield "escort", lambda: s.open_episode(n, w.patient_ids[1], "ketamine-iv", "9", 70, 35,
                                           Escort(LONE, "", "555"), precheck(s))
    yield "record_observation", lambda: s.record_observation(n, episode_id, good(note=LONE))
    yield "correct_observation", lambda: s.correct_observation(n, observation_id, LONE,
                                                               good())
    yield "void_observation", lambda: s.void_observation(n, observation_id, LONE)
    yield "cancel_episode", lambda: s.cancel_episode(n, episode_id, LONE)
    item = next(i for i in s.protocols["ketamine-iv"].manual if i.details)
    yield "answer_manual", lambda: s.answer_manual(
        n, episode_id, item.key, ManualAnswer(True, False, dict.fromkeys(item.details, LONE)))
    yield "add_override", lambda: s.add_override(n, episode_id, "heart_rate", LONE, w.md.id,
                                                 MD_PIN)
    yield "add_staff", lambda: s.add_staff(w.admin.id, LONE, "RN", Role.NURSE, "777777",
                                           "777777")
    yield "update_staff", lambda: s.update_staff(w.admin.id, w.nurse.id, LONE, "RN",
                                                 Role.NURSE, True)
    yield "save_settings", lambda: s.save_settings(w.admin.id,
                                                   replace(s.settings(), address=LONE))
    yield "episode_by_number", lambda: s.episode_by_number(LONE)


def test_a_lone_surrogate_is_a_message_next_to_the_field_never_a_crash(w: World):
    e = open_iv(w)
    row = w.s.record_observation(w.nurse.id, e.id, good())
    before = {t: count_rows(w.path, t) for t in ("patients", "episodes", "observations",
                                                 "staff", "settings", "audit")}
    for name, call in _calls(w, e.id, row.observation.id):
        with pytest.raises(ValidationError):  # not UnicodeEncodeError
            call()
        assert {t: count_rows(w.path, t) for t in before} == before, name
    assert w.s.find_patients(LONE) == []


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("clinic_name", "Clinic\x07", "control characters"),
    ("clinic_name", "Clinic\u202e", "text-direction"),
    ("address", "1 Main St\x1b[2J", "control characters"),
    ("address", "x" * 8000, "at most 300"),
    ("phone", "555\u200b0100", "zero-width"),
    ("phone", "5" * 41, "at most 40"),
    ("archive_dir", "/srv/arch\x00ive", "control characters"),
    ("backup_dir", "/" + "b" * 2000, "at most 1024"),
])
def test_every_text_setting_follows_the_rule(w: World, key, value, problem):
    before = w.s.settings()
    with pytest.raises(ValidationError) as refused:
        w.s.save_settings(w.admin.id, replace(before, **{key: value}))
    assert refused.value.field == key and problem in refused.value.message
    assert w.s.settings() == before


def test_no_text_setting_escapes_the_rule():
    from dataclasses import fields

    from monitor_app.services.settings import TEXT_SETTINGS
    from monitor_app.services.views import ClinicSettings

    text = {f.name for f in fields(ClinicSettings) if f.type in ("str", str)}
    assert text == set(TEXT_SETTINGS)


def test_settings_are_stored_normalised(w: World):
    saved = w.s.save_settings(w.admin.id, replace(w.s.settings(), clinic_name=" Cafe\u0301 ",
                                                  address="  1 Main St "))
    assert (saved.clinic_name, saved.address) == ("Caf\u00e9", "1 Main St")


def _ready(w: World) -> int:
    e = open_iv(w)
    to_ready(w, e.id)
    answer_everything(w, e.id)
    return e.id


def test_the_longest_address_allowed_still_archives_the_sheet(w: World):
    w.s.save_settings(w.admin.id, replace(w.s.settings(), address="12 Long Road, " * 21,
                                          phone="5" * 40))
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, _ready(w))
    assert result.archive_problem == "" and result.archived_to.is_file()


def test_an_old_unbounded_address_is_cut_on_the_sheet_not_a_crash(w: World):
    # as a version without the bound saved it
    repo.set_settings(w.s.db, {"clinic.address": "8 Endless Street " * 500},
                      actor_id=w.admin.id, at=w.clock.now())
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, _ready(w))
    assert result.archive_problem == "" and result.archived_to.is_file()


def test_signing_never_raises_after_the_signature_is_saved(w: World, monkeypatch):
    episode_id = _ready(w)

    def broken(*_args, **_kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr("monitor_app.reports.discharge_pdf.render_discharge_pdf", broken)
    result = w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode_id)
    assert result.archived_to is None
    assert "signed and saved" in result.archive_problem
    assert w.s.episode_view(episode_id).signed


# ---------------------------------------------------------------- deactivated members
def test_a_deactivated_member_cannot_act(w: World):
    e = open_iv(w)
    row = w.s.record_observation(w.nurse.id, e.id, good())
    w.s.update_staff(w.admin.id, w.nurse.id, "Nina Nurse", "RN", Role.NURSE, active=False)
    before = count_rows(w.path, "audit")
    n = w.nurse.id
    calls = [
        lambda: w.s.record_observation(n, e.id, good()),
        lambda: w.s.correct_observation(n, row.observation.id, "typo", good(hr="75")),
        lambda: w.s.void_observation(n, row.observation.id, "wrong patient"),
        lambda: w.s.acknowledge_alerts(n, row.observation.id, ["hr_high"], "rechecked"),
        lambda: w.s.start_dosing(n, e.id),
        lambda: w.s.cancel_episode(n, e.id, "left"),
        lambda: w.s.add_patient(n, "MRN-77", "New Person", date(1990, 1, 1)),
        lambda: w.s.open_episode(n, w.patient_ids[1], "ketamine-iv", "2", 70, 35, ESCORT,
                                 precheck(w.s)),
        lambda: w.s.answer_aldrete(n, e.id, 2, 2),
        lambda: w.s.reset_pin(n, n, "778899", "778899"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed, match="not active"):
            call()
    assert count_rows(w.path, "audit") == before
    w.s.update_staff(w.admin.id, w.nurse.id, "Nina Nurse", "RN", Role.NURSE, active=True)
    w.s.record_observation(n, e.id, good())
    assert w.s.authenticate(w.admin.id, ADMIN_PIN).active
