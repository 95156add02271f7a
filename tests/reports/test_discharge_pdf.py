"""The printed discharge sheet, read back with pypdf. No Qt."""

from __future__ import annotations

import io
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from monitor_app.domain.protocol import load_protocol
from monitor_app.reports.discharge_pdf import render_discharge_pdf, write_pdf
from monitor_app.reports.sheet_data import (
    SheetAddendum,
    SheetAldreteItem,
    SheetClinic,
    SheetCriterion,
    SheetData,
    SheetEpisode,
    SheetEscort,
    SheetManualItem,
    SheetObservation,
    SheetOverride,
    SheetPatient,
    SheetProtocol,
    SheetSignature,
    TrendGuide,
    TrendPoint,
)

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
TZ = ZoneInfo("America/New_York")
START = datetime(2026, 3, 14, 14, 0, tzinfo=UTC)  # 10:00 in New York
FINGERPRINT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PROTOCOLS = Path(__file__).resolve().parents[2] / "resources" / "protocols"
REMS_LABELS = tuple(f.label for f in load_protocol(PROTOCOLS / "esketamine-rems.toml").rems_form)
REMS_ANSWERS = {"Patient name": "Jane Doe", "Date of birth": "02 Jun 1985", "Sex": "F",
                "Monitoring healthcare provider": "Ana Kowalski, RN",
                "Healthcare setting": "Harbour Ketamine Clinic", "Treatment date": "14 Mar 2026",
                "Dose": "56 mg", "Lot number": "ESK-1180",
                "Total minutes from first device to end of monitoring": "125",
                "BP before dosing": "128/82", "BP at 40 minutes": "142/88",
                "BP before end of monitoring": "134/84"}


def _obs(minute: int, hr: int, sbp: int, dbp: int, **kw: object) -> SheetObservation:
    return SheetObservation(taken_at=START + timedelta(minutes=minute), hr=str(hr),
                            bp=f"{sbp}/{dbp}", spo2=kw.pop("spo2", "98"), rr="14",
                            temp="36.8", moaas=kw.pop("moaas", "5"),
                            dissociation=kw.pop("dissociation", "0"),
                            news2=kw.pop("news2", 0), initials="AK", **kw)


def _signature(meaning: str = "Discharged by", minutes: int = 100) -> SheetSignature:
    return SheetSignature(name="Ana Kowalski", credentials="RN", meaning=meaning,
                          signed_at=START + timedelta(minutes=minutes), fingerprint=FINGERPRINT)


def iv_sample() -> SheetData:
    observations = [
        _obs(-10, 72, 128, 82),
        _obs(0, 76, 132, 84),
        _obs(10, 88, 150, 92, side_effects="dizziness"),
        _obs(20, 96, 172, 108, abnormal=frozenset({"sbp"}), dissociation="2", news2=1),
        _obs(20, 96, 17, 108, voided=True, void_reason="typo: SBP 17 should be 172"),
        _obs(30, 124, 186, 112, abnormal=frozenset({"hr", "bp", "moaas"}), moaas="3",
             dissociation="3", side_effects="nausea, dizziness", news2=6,
             note="Prescriber informed; infusion rate unchanged."),
        _obs(40, 90, 150, 90, spo2="93", on_oxygen=True, news2=3, late=True),
        _obs(70, 74, 134, 84),
    ]
    trend = [TrendPoint(o.taken_at, float(o.hr), *map(float, o.bp.split("/")))
             for o in observations if not o.voided]
    criteria = [
        SheetCriterion("Minimum observation time (30 min after infusion end)", "met",
                       "30 min", "infusion ended 10:40"),
        SheetCriterion("Blood pressure within 20% of baseline or below 160/100", "met",
                       "134/84", "baseline 128/82"),
        SheetCriterion("Heart rate 50 to 110", "met", "74"),
        SheetCriterion("SpO2 at least 94% on air", "not_met", "93 on O2",
                       "weaned at 11:05", SheetOverride("Chronic COPD, usual SpO2 93%",
                                                        "Dr Priya Nair")),
        SheetCriterion("Respiratory rate 10 to 22", "met", "14"),
        SheetCriterion("MOAA/S 5 on the latest observation", "met", "5"),
        SheetCriterion("Dissociation 0 on the latest two observations", "unknown", "0, –",
                       "only one observation since the last dissociation"),
        SheetCriterion("No nausea or vomiting", "met", "none"),
        SheetCriterion("Modified Aldrete score at least 9", "met", "9"),
    ]
    aldrete = [
        SheetAldreteItem("Activity", 2, "moves 4 limbs"),
        SheetAldreteItem("Respiration", 2, "breathes deeply, coughs freely"),
        SheetAldreteItem("Circulation", 2, "BP 134/84: SBP 5% above baseline 128"),
        SheetAldreteItem("Consciousness", 2, "MOAA/S 5"),
        SheetAldreteItem("SpO₂", 1, "needs O₂ to stay above 90%"),
    ]
    manual = [
        SheetManualItem("Oriented to person, place and time", "Yes"),
        SheetManualItem("Walks steadily without assistance", "Yes"),
        SheetManualItem("IV cannula removed, site intact", "Yes"),
        SheetManualItem("Escort present to take the patient home", "Yes",
                        "Mark Doe, 555-0102"),
        SheetManualItem("Discharge instructions given and understood", "Yes"),
        SheetManualItem("Next appointment", "N/A"),
    ]
    return SheetData(
        clinic=SheetClinic("Harbour Ketamine Clinic", "12 Quay Street, Portsmouth, NH 03801",
                           "(603) 555-0100"),
        patient=SheetPatient("Jane Doe", "MRN-004217", "02 Jun 1985", "F"),
        episode=SheetEpisode("E-2026-00042", "14 Mar 2026", "Chair 3"),
        protocol=SheetProtocol("IV ketamine infusion", "2026.1", "Ketamine hydrochloride",
                               "IV infusion", "infusion"),
        tz=TZ, printed_at=START + timedelta(minutes=102), paper="Letter",
        dose_mg="35", dose_mg_per_kg="0.50", lot_number="KX-22817",
        dosing_start=START, dosing_end=START + timedelta(minutes=40),
        escort=SheetEscort("Mark Doe", "husband", "555-0102"),
        observations=observations, criteria=criteria, aldrete_items=aldrete,
        aldrete_total=9, manual_items=manual,
        instructions_title="After your ketamine treatment",
        instructions=[
            "Do not drive, ride a bike or operate machinery until tomorrow, after a "
            "night's sleep.",
            "No alcohol or cannabis for 24 hours.",
            "Call the clinic if you feel unwell. In an emergency call 911.",
        ],
        signature=_signature(),
        addenda=[SheetAddendum("Patient phoned at 18:00: feeling well.",
                               _signature("Addendum by", 240))],
        trend=trend,
        trend_guides=[TrendGuide("baseline SBP 128", 128), TrendGuide("SBP alert 180", 180,
                                                                       "alert")],
    )


def rems_sample() -> SheetData:
    base = iv_sample()
    answers = [(label, REMS_ANSWERS.get(label, "No")) for label in REMS_LABELS]
    answers[-1] = (REMS_LABELS[-1], "none")
    return replace(
        base, paper="A4",
        protocol=SheetProtocol("Esketamine nasal spray (SPRAVATO REMS)", "2026.1",
                               "Esketamine (SPRAVATO)", "Intranasal", "dosing"),
        dose_mg="56", dose_mg_per_kg="", lot_number="ESK-1180",
        dosing_end=START + timedelta(minutes=10), rems=answers, addenda=())


def draft_sample() -> SheetData:
    return replace(iv_sample(), signature=None, addenda=())


def long_sample() -> SheetData:
    observations = [_obs(i * 5, 70 + i % 9, 120 + i % 13, 80 + i % 7) for i in range(30)]
    return replace(iv_sample(), observations=observations, trend=[
        (o.taken_at, float(o.hr), *map(float, o.bp.split("/"))) for o in observations])


def names_sample() -> SheetData:
    return replace(iv_sample(), patient=SheetPatient("Zoë O'Brien-Łukasiewicz 李小龙 Ωμέγα",
                                                     "MRN-Ω1", "1 Jan 1990", "X"))


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    return "\n".join(_pages(pdf))


@pytest.fixture(scope="module")
def iv_pdf() -> bytes:
    return render_discharge_pdf(iv_sample(), FONT_DIR)


def test_iv_sheet_holds_the_record(iv_pdf: bytes) -> None:
    data = iv_sample()
    text = _text(iv_pdf)
    flat = "".join(text.split())
    for expected in (data.patient.name, data.patient.mrn, data.episode.number,
                     data.lot_number, "Discharge checklist", "Ana Kowalski", "Discharged by",
                     "Addendum by", "Dr Priya Nair", "Chronic COPD", "VOIDED:",
                     "typo: SBP 17 should be 172", "Circulation is percent-based",
                     "After your ketamine treatment", "9 / 10"):
        assert expected in text, expected
    for obs in data.observations:
        assert obs.taken_at.astimezone(TZ).strftime("%H:%M") in text
    for criterion in data.criteria:
        assert "".join(criterion.label.split()) in flat, criterion.label
    assert FINGERPRINT in flat
    assert "✓" in text and "✗" in text
    assert "DRAFT" not in text
    assert "SPRAVATO REMS Patient Monitoring Form" not in text


def test_every_page_has_a_footer(iv_pdf: bytes) -> None:
    pages = _pages(iv_pdf)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "E-2026-00042" in text
        assert "Printed 14 Mar 2026 11:42" in text


def test_abnormal_values_are_marked(iv_pdf: bytes) -> None:
    text = _text(iv_pdf)
    assert "124*" in text and "186/112*" in text and "172/108*" in text
    assert "(late)" in text and "on O₂" in text


def test_rems_section_only_for_rems() -> None:
    text = _text(render_discharge_pdf(rems_sample(), FONT_DIR))
    assert "SPRAVATO REMS Patient Monitoring Form" in text
    flat = "".join(text.split("SPRAVATO REMS Patient Monitoring Form", 1)[1].split())
    positions = [flat.index("".join(label.split())) for label in REMS_LABELS]
    assert positions == sorted(positions)
    assert "ESK-1180" in text


def test_draft_is_marked_on_every_page() -> None:
    data = replace(long_sample(), signature=None, addenda=())
    pages = _pages(render_discharge_pdf(data, FONT_DIR))
    assert len(pages) >= 2
    assert all("DRAFT" in page for page in pages)
    assert "Discharged by" not in "".join(pages)


def test_unsigned_sheet_is_a_draft() -> None:
    text = _text(render_discharge_pdf(draft_sample(), FONT_DIR))
    assert "DRAFT" in text and "not signed" in text
    assert FINGERPRINT not in "".join(text.split())


def test_thirty_observations_span_pages_with_every_time() -> None:
    data = long_sample()
    pages = _pages(render_discharge_pdf(data, FONT_DIR))
    assert len(pages) >= 2
    text = "\n".join(pages)
    for obs in data.observations:
        assert obs.taken_at.astimezone(TZ).strftime("%H:%M") in text
    assert all(data.patient.mrn in page for page in pages)


def test_special_characters_in_names_print_exactly() -> None:
    data = names_sample()
    text = _text(render_discharge_pdf(data, FONT_DIR))
    assert "Zoë O'Brien-Łukasiewicz" in text
    assert "李小龙" in text
    assert "Ωμέγα" in text
    assert "MRN-Ω1" in text


@pytest.mark.parametrize(("paper", "size"), [("A4", (595.28, 841.89)), ("Letter", (612, 792))])
def test_paper_size(paper: str, size: tuple[float, float]) -> None:
    pdf = render_discharge_pdf(replace(iv_sample(), paper=paper), FONT_DIR)
    for page in PdfReader(io.BytesIO(pdf)).pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(size[0], abs=0.1)
        assert float(box.height) == pytest.approx(size[1], abs=0.1)


def test_unknown_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="paper"):
        render_discharge_pdf(replace(iv_sample(), paper="A3"), FONT_DIR)  # type: ignore[arg-type]


def test_write_pdf_is_atomic_and_private(tmp_path: Path) -> None:
    target = tmp_path / "E-2026-00042.pdf"
    target.write_bytes(b"old")
    write_pdf(iv_sample(), FONT_DIR, target)
    assert target.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [target.name]



def test_free_text_longer_than_a_page_still_prints_in_full() -> None:
    base = iv_sample()
    long = "begin " + "word " * 3000 + "finish"
    observations = [replace(base.observations[0], note=long), *base.observations[1:]]
    criteria = [replace(base.criteria[0], status="not_met",
                        override=SheetOverride(long.replace("finish", "endreason"), "Dr X"))]
    data = replace(base, observations=observations, criteria=criteria,
                   addenda=[SheetAddendum(long.replace("finish", "endaddendum"), _signature())],
                   instructions=[f"Line {i}: rest and drink water." for i in range(60)])
    text = _text(render_discharge_pdf(data, FONT_DIR))
    for word in ("finish", "endreason", "endaddendum", "Line 59"):
        assert word in text


def test_minimal_sheet_renders() -> None:
    data = SheetData(clinic=SheetClinic("Clinic"), patient=SheetPatient("Pat", "M1", "1 Jan 1990"),
                     episode=SheetEpisode("E-1", "14 Mar 2026"),
                     protocol=SheetProtocol("P", "1", "Drug", "Route"), tz=TZ, printed_at=START)
    text = _text(render_discharge_pdf(data, FONT_DIR))
    assert "No observations were recorded." in text
    assert "Page 1 of 1" in text and "DRAFT" in text
