"""An alert carries its field, direction, value and limit; ▲/▼ come from the direction,
not from reading the English message."""

from __future__ import annotations

from monitor_app.domain.models import Alert, AlertDirection, Vitals
from monitor_app.domain.protocol import load_protocols
from monitor_app.domain.vitals import alerts_for
from monitor_app.paths import protocols_dir


def _alerts(**values: object) -> list[Alert]:
    protocol = load_protocols(protocols_dir())["ketamine-iv"]
    return alerts_for(Vitals(**values), protocol, Vitals(hr=70, sbp=120, dbp=80))


def test_high_low_and_rise_say_which_way_and_what_limit() -> None:
    found = _alerts(hr=40, spo2=85, sbp=185, dbp=80)
    low_spo2 = next(a for a in found if a.code == "spo2_low")
    assert (low_spo2.field, low_spo2.direction, low_spo2.value) == ("spo2", "low", 85)
    assert low_spo2.limit is not None and low_spo2.limit > 85
    assert next(a for a in found if a.code == "hr_low").direction == AlertDirection.LOW
    sbp = [a for a in found if a.field == "bp"]
    assert {a.direction for a in sbp} == {AlertDirection.HIGH, AlertDirection.RISE}
    assert all(a.value == 185 and a.limit is not None for a in sbp)


def test_the_table_glyph_follows_the_direction_not_the_words() -> None:
    from monitor_app.gui.episode.table_models import alert_glyph

    worded_low = Alert("custom", "hr", "HR 150 below nothing", "HR", 150,
                       AlertDirection.HIGH, 120)
    assert alert_glyph(worded_low) == "▲"
    assert alert_glyph(Alert("custom", "spo2", "SpO2 above", "SpO2", 85,
                             AlertDirection.LOW, 92)) == "▼"
