"""CSV export of signed episodes: read back with the csv module as a spreadsheet would."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from monitor_app.domain.models import Role, ValidationError
from monitor_app.reports.csv_export import EPISODE_HEADER, OBSERVATION_HEADER, safe_cell
from tests.helpers.cli import one_clear_line, run
from tests.helpers.exports import (
    VOID_REASON,
    signed_with_corrections,
)
from tests.helpers.world import open_iv


def read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8, not the code page
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_observation_round_trips(world, tmp_path: Path) -> None:
    e = signed_with_corrections(world)
    open_iv(world, chair="2", patient=1)  # not signed: left out
    result = world.s.exports.export_csv(tmp_path / "obs.csv")
    rows = read(result.path)
    view = world.s.episode_view(e.id)
    assert result.unsigned_left_out == 1 and result.episodes == 1
    assert len(rows) == len(view.rows) == result.rows
    assert list(rows[0]) == list(OBSERVATION_HEADER)
    for row, obs_row in zip(rows, view.rows, strict=True):
        o, v = obs_row.observation, obs_row.observation.vitals
        assert row["episode"] == e.number and row["mrn"] == view.patient.mrn
        assert row["observation_id"] == str(o.id)
        assert row["hr"] == ("" if v.hr is None else str(v.hr))
        assert (row["sbp"], row["dbp"]) == (str(v.sbp), str(v.dbp))
        assert row["voided"] == ("yes" if o.voided else "no")
        assert row["by"] == "Nina Nurse, RN"
        assert row["news2"] == (str(obs_row.news2.total) if obs_row.news2 else "")
    voided = [r for r in rows if r["voided"] == "yes"]
    assert len(voided) == 2 and any(r["void_reason"] == VOID_REASON for r in voided)
    corrected = next(r for r in rows if r["corrects_observation"])
    assert corrected["temp_c"] == "37.2" and corrected["on_oxygen"] == "yes"
    assert corrected["side_effects"] == "nausea"
    taken = rows[0]["taken_at"]
    assert date.fromisoformat(taken[:10]) and len(taken) == len("2026-11-27 10:00")


def test_one_row_per_episode(world, tmp_path: Path) -> None:
    first = signed_with_corrections(world)
    second = signed_with_corrections(world, chair="2", patient=1)
    rows = read(world.s.exports.export_csv(tmp_path / "ep.csv", per_episode=True).path)
    assert list(rows[0]) == list(EPISODE_HEADER)
    assert [r["episode"] for r in rows] == [first.number, second.number]
    view = world.s.episode_view(first.id)
    assert rows[0]["observations"] == str(len(view.current_rows))
    assert rows[0]["voided_observations"] == "2"
    assert rows[0]["record_sha256"] == view.signatures[0].content_hash
    assert rows[0]["dose_mg_per_kg"] == "0.50"


def test_free_text_cannot_become_a_formula(world, tmp_path: Path) -> None:
    s = world.s
    evil = s.add_staff(world.admin.id, "=HYPERLINK(\"http://x\",\"y\")", "@RN", Role.NURSE,
                       "975310", "975310")
    world.nurse = evil
    import tests.helpers.exports as fixtures

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fixtures, "NURSE_PIN", "975310")
        signed_with_corrections(world)
    rows = read(s.exports.export_csv(tmp_path / "obs.csv").path)
    assert rows[0]["by"] == "'=HYPERLINK(\"http://x\",\"y\"), @RN"
    for text, expected in (("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"),
                           ("\tx", "'\tx"), ("plain", "plain"), (37.2, "37.2"), (None, "")):
        assert safe_cell(text) == expected


def test_date_range_is_by_the_day_the_episode_was_opened(world, tmp_path: Path) -> None:
    signed_with_corrections(world)
    day = world.clock.now().astimezone().date()
    assert world.s.exports.export_csv(tmp_path / "a.csv", start=day, end=day).episodes == 1
    later = date(day.year + 1, 1, 1)
    assert world.s.exports.export_csv(tmp_path / "b.csv", start=later).episodes == 0
    with pytest.raises(ValidationError, match="before the start"):
        world.s.exports.export_csv(tmp_path / "c.csv", start=later, end=day)


def test_cli_export_csv(demo_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "obs.csv"
    code, printed, _ = run(capsys, "export-csv", "--db", str(demo_db), "-o", str(out))
    assert code == 0 and "of 2 signed episode(s)" in printed
    assert {r["episode"] for r in read(out)} == {"E-2026-00001", "E-2026-00002"}
    code, _, err = run(capsys, "export-csv", "--db", str(demo_db), "-o", str(out))
    assert code == 2 and "already exists" in one_clear_line(err)
    code, _, err = run(capsys, "export-csv", "--db", str(demo_db), "-o", str(out),
                       "--from", "yesterday", "--force")
    assert code == 2 and "YYYY-MM-DD" in one_clear_line(err)
    code, _, _ = run(capsys, "export-csv", "--db", str(demo_db), "-o", str(out),
                     "--per-episode", "--force")
    assert code == 0 and len(read(out)) == 2


def test_a_weight_not_recorded_is_an_empty_cell_not_zero() -> None:
    import io
    from datetime import UTC, datetime

    from monitor_app.reports.csv_export import CsvEpisode, episodes_csv

    when = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    episode = CsvEpisode("E-2026-00001", "MRN-1", "esketamine-rems", "2", when, when, when,
                         when, 0.0, 56.0, "LOT-1", "Nina Nurse, RN", when, "0" * 64, ())
    data = episodes_csv([episode], UTC, per_episode=True).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(data)))
    assert (row["weight_kg"], row["dose_mg"], row["dose_mg_per_kg"]) == ("", "56", "")
