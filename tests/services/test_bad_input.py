"""Bad input tried on purpose on the new-episode fields: a clear refusal and nothing
stored, or the text kept exactly; names in any script survive to the printed sheet."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from monitor_app.domain.models import Escort, ValidationError
from tests.helpers.world import ESCORT, make_world, precheck

HOSTILE = [
    "",
    "   ",
    "x" * 100_000,
    "-5",
    "1e309",
    "nan",
    "'; DROP TABLE patients; --",
    "Robert'); DELETE FROM audit;--",
    "tab\there",
    "bell\x07",
    "nul\x00byte",
    "line\nbreak",
    "\u202eevil",
    "١٢٣",
    "😀",
]
NAMES = ["Zoë O'Brien-Łukasiewicz", "Ωμέγα Παπαδόπουλος", "Nguyễn Thị Minh", "Ærøskøbing Ångström",
         "D'Arcy-Ní Bhriain"]


def _counts(world) -> tuple[int, int, int]:
    db = world.s.db
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                 for t in ("patients", "episodes", "audit"))


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("field", ["mrn", "patient_name", "dob", "sex"])
def test_patient_fields_refuse_or_keep_exactly(tmp_path, fast_pins, field, text):
    world = make_world(tmp_path / "c.db", patients=0)
    values = {"mrn": "MRN-77", "patient_name": "Ada Lovelace", "dob": "1980-02-03", "sex": "F"}
    values[field] = text
    before = _counts(world)
    try:
        patient = world.s.add_patient(world.admin.id, values["mrn"], values["patient_name"],
                                      values["dob"], values["sex"])
    except ValidationError as exc:
        assert exc.field in (field, "name"), exc
        assert exc.message
        assert _counts(world) == before
        return
    stored = world.s.patient(patient.id)
    assert stored.mrn == values["mrn"].strip()
    assert stored.name == values["patient_name"].strip()


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("field", ["chair", "weight", "dose", "escort_name", "escort_phone",
                                   "escort_relationship", "lot_number"])
def test_episode_fields_refuse_or_keep_exactly(tmp_path, fast_pins, field, text):
    world = make_world(tmp_path / "c.db", patients=1)
    values = {"chair": "4", "weight": "72.5", "dose": "36", "escort_name": "Sam",
              "escort_phone": "555-0100", "escort_relationship": "partner", "lot_number": ""}
    values[field] = text
    before = _counts(world)
    try:
        episode = world.s.open_episode(
            world.nurse.id, world.patient_ids[0], "ketamine-iv", values["chair"],
            values["weight"], values["dose"],
            Escort(values["escort_name"], values["escort_relationship"], values["escort_phone"]),
            precheck(world.s), values["lot_number"])
    except ValidationError as exc:
        assert exc.field == field, exc
        assert _counts(world) == before
        return
    stored = world.s.episode(episode.id)
    assert stored.chair == values["chair"].strip()
    assert stored.escort.name == values["escort_name"].strip()
    assert stored.lot_number == values["lot_number"].strip()


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_are_kept_and_printed(tmp_path, fast_pins, name):
    world = make_world(tmp_path / "c.db", patients=0)
    patient = world.s.add_patient(world.admin.id, "MRN-1", name, "1990-06-30", "X")
    assert world.s.patient(patient.id).name == name
    assert [p.name for p in world.s.find_patients(name.split()[0])] == [name]
    episode = world.s.open_episode(world.nurse.id, patient.id, "ketamine-iv", "1", 70, 35,
                                   ESCORT, precheck(world.s))
    text = "".join(page.extract_text() for page in
                   PdfReader(io.BytesIO(world.s.sheet_pdf(episode.id))).pages)
    assert name in text
