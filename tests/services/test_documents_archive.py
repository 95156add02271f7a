"""Documents from the services: alert actions on the chart copy, a contradicted REMS
answer refused, the archive that never overwrites, ``pdf --copy``."""

from __future__ import annotations

import io
import os

import pypdf
import pytest

from monitor_app.cli import main
from monitor_app.domain.documents import DocumentCopy
from monitor_app.domain.models import ValidationError
from monitor_app.services.documents import DocumentUseCases
from monitor_app.services.errors import DischargeRefused
from tests.helpers.world import (
    ESCORT,
    NURSE_PIN,
    answer_everything,
    good,
    make_world,
    open_iv,
    precheck,
    to_ready,
)

pytestmark = pytest.mark.usefixtures("fast_pins")


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
                    .split())


def signed_iv(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    episode = open_iv(w)
    to_ready(w, episode.id)
    answer_everything(w, episode.id)
    w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)
    return w, episode


def test_the_chart_copy_prints_each_alert_with_who_acknowledged_it_and_the_action(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    episode = open_iv(w)
    w.clock.advance(minutes=1)
    obs = w.s.record_observation(w.nurse.id, episode.id, good(bp="186/112"))
    codes = [a.code for a in w.s.episode_view(episode.id).rows[0].alerts]
    assert codes
    w.s.acknowledge_alerts(w.nurse.id, obs.observation.id, codes, "treatment_given",
                           "labetalol 10 mg IV")
    text = text_of(w.s.documents.document_pdf(episode.id, DocumentCopy.CHART))
    assert "Alerts and what was done" in text
    assert "Treatment given: labetalol 10 mg IV" in text
    assert "Nina Nurse, RN" in text and "NN Nina Nurse, RN" in text  # the initials key


def rems_episode(w):
    episode = w.s.open_episode(w.nurse.id, w.patient_ids[1], "esketamine-rems", "2", 70, 56,
                               ESCORT, precheck(w.s, "esketamine-rems"), lot_number="LOT-1")
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, episode.id, good())
    w.s.start_dosing(w.nurse.id, episode.id)
    w.clock.advance(minutes=40)
    w.s.record_observation(w.nurse.id, episode.id, good(moaas="3", dissociation="2", rr="8"))
    return episode


def test_a_no_the_observations_contradict_is_refused_naming_the_observation(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    episode = rems_episode(w)
    with pytest.raises(ValidationError, match=r"Sedation occurred: \"no\" contradicts the "
                       r"observation at 09:41: MOAA/S 3 \(below 5\)") as refused:
        w.s.answer_rems(w.nurse.id, episode.id, "sedation", "no")
    assert refused.value.field == "sedation"
    with pytest.raises(ValidationError, match="dissociation score 2"):
        w.s.answer_rems(w.nurse.id, episode.id, "dissociation", "no")
    with pytest.raises(ValidationError, match=r"respiratory rate 8/min \(below 10\)"):
        w.s.answer_rems(w.nurse.id, episode.id, "respiratory_depression", "no")
    w.s.answer_rems(w.nurse.id, episode.id, "sedation", "yes")  # the truth is accepted
    assert w.s.discharge_view(episode.id).rems  # nothing else changed


def test_signing_refuses_an_answer_a_later_observation_contradicts(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    episode = rems_episode(w)
    # answered "no" before the observation that contradicts it was corrected in
    obs = w.s.episode_view(episode.id).rows[-1].observation
    w.s.correct_observation(w.nurse.id, obs.id, "typed in the wrong row", good())
    w.s.answer_rems(w.nurse.id, episode.id, "sedation", "no")
    w.clock.advance(minutes=1)
    w.s.record_observation(w.nurse.id, episode.id, good(moaas="4"))
    state = w.s.discharge_view(episode.id)
    assert any("MOAA/S 4" in t for t in state.rems_contradictions)
    assert not state.can_sign
    with pytest.raises(DischargeRefused) as refused:
        w.s.sign_discharge(w.nurse.id, NURSE_PIN, episode.id)
    assert any("Sedation occurred" in r and "MOAA/S 4" in r for r in refused.value.reasons)


def test_signing_archives_all_documents_and_an_addendum_adds_new_versions(tmp_path):
    w, episode = signed_iv(tmp_path)
    folder = w.s.archive_dir()
    first = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    assert sorted(first) == sorted([
        f"2026-11-27_MRN-0000_{episode.number}.pdf",
        f"2026-11-27_MRN-0000_{episode.number}_patient.pdf"])
    w.clock.advance(minutes=5)
    w.s.add_addendum(w.nurse.id, NURSE_PIN, episode.id, "Patient phoned: home safely.")
    after = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    for name, data in first.items():
        assert after[name] == data  # the first versions are untouched
    added = sorted(set(after) - set(first))
    assert added == [f"2026-11-27_MRN-0000_{episode.number}_addendum-1.pdf",
                     f"2026-11-27_MRN-0000_{episode.number}_patient_addendum-1.pdf"]
    assert "home safely" in text_of(after[added[0]])
    assert "home safely" not in text_of(first[f"2026-11-27_MRN-0000_{episode.number}.pdf"])


def test_an_archived_file_is_never_overwritten(tmp_path):
    w, episode = signed_iv(tmp_path)
    chart = w.s.archive_dir() / w.s.documents.archive_name(episode.id, DocumentCopy.CHART, 0)
    os.chmod(chart, 0o600)
    chart.write_bytes(b"what the archive holds")
    written, note = w.s.archive_sheet(episode.id)  # recovery runs it again
    assert written is None and note == ""
    assert chart.read_bytes() == b"what the archive holds"
    # and the writer itself refuses an existing name (O_EXCL, then a link that fails)
    from monitor_app.services.output_file import write_new_file

    with pytest.raises(ValidationError, match="already exists"):
        write_new_file(chart, b"another")
    assert chart.read_bytes() == b"what the archive holds"


def test_pdf_command_writes_the_copy_asked_for(tmp_path, capsys):
    w, episode = signed_iv(tmp_path)
    w.s.close()
    out = tmp_path / "patient.pdf"
    assert main(["pdf", "--db", str(w.path), episode.number, "--copy", "patient",
                 "-o", str(out)]) == 0
    assert "Wrote the patient copy" in capsys.readouterr().out
    text = text_of(out.read_bytes())
    assert "Your treatment today" in text and len(pypdf.PdfReader(out).pages) == 1
    chart = tmp_path / "chart.pdf"
    assert main(["pdf", "--db", str(w.path), episode.number, "-o", str(chart)]) == 0
    assert "Who is who" in text_of(chart.read_bytes())
    # the safe output rules of pdf -o still hold
    assert main(["pdf", "--db", str(w.path), episode.number, "--copy", "patient",
                 "-o", str(out)]) != 0
    assert main(["pdf", "--db", str(w.path), episode.number, "--copy", "rems",
                 "-o", str(tmp_path / "rems.pdf")]) != 0


def test_the_language_is_one_the_protocol_has_and_the_choice_is_audited(tmp_path):
    w = make_world(tmp_path / "clinic.db")
    episode = open_iv(w)
    documents: DocumentUseCases = w.s.documents
    assert documents.languages(episode.id) == ("en", "es")
    with pytest.raises(ValidationError, match="not 'fr'"):
        documents.set_instructions_language(w.nurse.id, episode.id, "fr")
    documents.set_instructions_language(w.nurse.id, episode.id, "es")
    assert documents.instructions_language(episode.id) == "es"
    from monitor_app.storage import audit

    events = audit.events(w.s.db, table_name="checklist_answers")
    assert any(e.after and e.after.get("item_key", e.after.get("key")) ==
               "instructions_language" for e in events) or any(
        "instructions_language" in str(e.after) for e in events)
