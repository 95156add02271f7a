"""The three documents read back with pypdf: patient copy, chart copy, REMS form."""

from __future__ import annotations

import io

import pypdf
import pytest

from monitor_app.demo import build_demo
from monitor_app.domain.documents import DocumentCopy
from monitor_app.services import Services


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    services = Services.open(path)
    yield services
    services.close()


def test_the_patient_copy_is_one_page_for_every_demo_episode(demo):
    episodes = demo.episodes(include_closed=True)
    assert len(episodes) >= 8
    for episode in episodes:
        text = pages(demo.documents.document_pdf(episode.id, DocumentCopy.PATIENT))
        assert len(text) == 1, episode.number
        page = flat(text[0])
        view = demo.episode_view(episode.id)
        assert "(555) 010-2030" in page  # the clinic's phone, in the "call us" line
        assert "Call us" in page
        assert view.patient.name in page
        for line in view.protocol.instructions[:3]:
            assert flat(line) in page
        assert "Patient signature" in page and "Escort signature" in page
        assert "I have received these instructions" in page
        # no clinical tables, no REMS form
        assert "NEWS2" not in page and "Discharge criteria" not in page
        assert "REMS Patient Monitoring Form" not in page


def test_the_patient_copy_prints_the_language_chosen_for_the_episode(demo):
    episode = next(e for e in demo.episodes() if e.protocol_id == "ketamine-iv")
    nurse = next(m for m in demo.staff() if m.role == "nurse")
    assert demo.documents.instructions_language(episode.id) == "en"
    demo.documents.set_instructions_language(nurse.id, episode.id, "es")
    page = flat(pages(demo.documents.document_pdf(episode.id, DocumentCopy.PATIENT))[0])
    assert "Después de su tratamiento con ketamina" in page
    assert "Llámenos" in page and "Firma del paciente" in page
    assert "Do not drive" not in page


def test_the_chart_copy_has_the_initials_key_alert_actions_and_the_anchor(demo):
    signed = next(e for e in demo.episodes(include_closed=True)
                  if e.protocol_id == "esketamine-rems" and e.closed_at is not None)
    text = flat("\n".join(pages(demo.documents.document_pdf(signed.id, DocumentCopy.CHART))))
    assert "Who is who" in text
    assert "TÁ Tomás Álvarez, RN" in text
    assert "Dose started in the monitor by Tomás Álvarez, RN" in text
    assert "Audit chain anchor at signing: event" in text
    assert "Discharge signature fingerprint (SHA-256)" in text
    assert "Before dosing (pre-check)" in text
    assert "Patient enrolled in the SPRAVATO REMS Yes" in text
    assert "baseline" in text and "40 min after dosing start" in text  # timepoint labels


def test_the_rems_form_holds_every_field_of_the_paper_form_in_order(demo):
    episode = next(e for e in demo.episodes(include_closed=True)
                   if e.protocol_id == "esketamine-rems" and e.closed_at is not None)
    text = flat("\n".join(pages(demo.documents.document_pdf(episode.id, DocumentCopy.REMS))))
    form = demo.protocols["esketamine-rems"].rems_form
    labels = [f.label for f in form]
    for needed in ("Monitoring provider's phone", "Monitoring provider's email",
                   "Healthcare setting address", "Dose"):
        assert needed in labels
    at = 0
    for number, label in enumerate(labels, start=1):
        found = text.find(f"{number}. {flat(label)}", at)
        assert found >= at, f"{label!r} missing or out of order"
        at = found
    assert "monitoring@riverside-clinic.example" in text
    assert "12 Harbour Road, Springfield" in text
    assert "☒ 84 mg" in text and "☐ 56 mg" in text  # the dose as the form's boxes
    # not in the chart copy's first pages, never in the patient copy
    assert "REMS" not in flat(pages(demo.documents.document_pdf(episode.id, "patient"))[0])


def test_a_ketamine_episode_has_no_rems_form(demo):
    episode = next(e for e in demo.episodes() if e.protocol_id == "ketamine-iv")
    assert DocumentCopy.REMS not in demo.documents.copies(episode.id)
    with pytest.raises(ValueError, match="no REMS form"):
        demo.documents.document_pdf(episode.id, "rems")


def test_every_document_of_an_unsigned_episode_says_draft(demo):
    episode = next(e for e in demo.episodes() if e.protocol_id == "esketamine-rems")
    for copy in demo.documents.copies(episode.id):
        assert "DRAFT" in pages(demo.documents.document_pdf(episode.id, copy))[0]



def test_a_signed_patient_copy_prints_in_another_language_for_this_print_only(demo):
    from monitor_app.domain.models import ValidationError

    signed = next(e for e in demo.episodes(include_closed=True)
                  if demo.episode_view(e.id).signed and e.protocol_id == "ketamine-iv")
    before = demo.documents.instructions_language(signed.id)
    page = flat(pages(demo.documents.document_pdf(signed.id, DocumentCopy.PATIENT,
                                                  language="es"))[0])
    assert "Después de su tratamiento con ketamina" in page and "Do not drive" not in page
    assert demo.documents.instructions_language(signed.id) == before  # the record keeps it
    with pytest.raises(ValidationError) as refused:
        demo.documents.document_pdf(signed.id, DocumentCopy.PATIENT, language="fr")
    assert refused.value.field == "language"
