"""Random sequences of clinic actions; after every step the record proves itself intact.

Rules: open an episode, record an observation, void and correct one, start or end
dosing, sign (after confirming the checklist and overriding, with a prescriber, any
criterion still unmet), add an addendum. Invariants: ``verify()`` finds nothing,
every signature's content hash stays what it was when signed, the audit log only grows.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import monitor_app.domain.pins
from monitor_app.domain import pins
from monitor_app.domain.models import Phase, ValidationError
from monitor_app.services import NotAllowed
from tests.helpers.world import (
    MD_PIN,
    NURSE_PIN,
    answer_everything,
    count_rows,
    good,
    make_world,
    open_iv,
)

pytestmark = pytest.mark.slow  # 15 runs of 15 steps, each on a new clinic file

PATIENTS = 4

vital_signs = st.fixed_dictionaries({
    "hr": st.integers(40, 140).map(str),
    "bp": st.tuples(st.integers(90, 200), st.integers(50, 85)).map(lambda t: f"{t[0]}/{t[1]}"),
    "spo2": st.integers(88, 100).map(str),
    "rr": st.integers(8, 26).map(str),
    "moaas": st.integers(3, 5).map(str),
    "dissociation": st.integers(0, 2).map(str),
})


class ClinicMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._cost = pins.COST
        monitor_app.domain.pins.COST = pins.TEST_COST
        self.folder = Path(tempfile.mkdtemp(prefix="stateful-"))
        self.w = make_world(self.folder / "c.db", patients=PATIENTS)
        self.episodes: list[int] = []
        self.signed: dict[int, str] = {}  # signature id -> content hash when signed
        self.audit_rows = count_rows(self.w.path, "audit")

    def teardown(self) -> None:
        self.w.s.close()
        monitor_app.domain.pins.COST = self._cost
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------ helpers
    def _in_phase(self, *phases: Phase) -> list[int]:
        return [e for e in self.episodes if self.w.s.episode(e).phase in phases]

    def _pick(self, data: st.DataObject, choices: list[int]) -> int:
        return data.draw(st.sampled_from(choices))

    def _writable(self) -> list[int]:
        return self._in_phase(Phase.PRECHECK, Phase.DOSING, Phase.RECOVERY, Phase.READY)

    # ------------------------------------------------------------ rules
    @precondition(lambda self: len(self._writable()) < PATIENTS)
    @rule()
    def open_episode(self) -> None:
        busy = {self.w.s.episode(e).patient_id for e in self._writable()}
        patient = next(i for i, p in enumerate(self.w.patient_ids) if p not in busy)
        chair = f"C{len(self.episodes) + 1}"
        self.episodes.append(open_iv(self.w, chair=chair, patient=patient).id)

    @precondition(lambda self: self._writable())
    @rule(data=st.data(), raw=vital_signs, minutes=st.integers(1, 15))
    def record(self, data: st.DataObject, raw: dict[str, str], minutes: int) -> None:
        episode = self._pick(data, self._writable())
        self.w.clock.advance(minutes=minutes)
        row = self.w.s.record_observation(self.w.nurse.id, episode, raw)
        assert row.observation.vitals.hr == int(raw["hr"])

    @precondition(lambda self: self._writable())
    @rule(data=st.data(), raw=vital_signs)
    def void_and_correct(self, data: st.DataObject, raw: dict[str, str]) -> None:
        episode = self._pick(data, self._writable())
        current = self.w.s.episode_view(episode).current_rows
        if not current:
            return
        old = data.draw(st.sampled_from(current)).observation
        self.w.clock.advance(minutes=1)
        new = self.w.s.correct_observation(self.w.nurse.id, old.id, "entered wrongly", raw)
        assert new.observation.supersedes == old.id
        event("corrected")

    @precondition(lambda self: self._in_phase(Phase.PRECHECK, Phase.DOSING))
    @rule(data=st.data())
    def change_phase(self, data: st.DataObject) -> None:
        s, w = self.w.s, self.w
        episode = self._pick(data, self._in_phase(Phase.PRECHECK, Phase.DOSING))
        w.clock.advance(minutes=1)
        if s.episode(episode).phase == Phase.DOSING:
            assert s.end_dosing(w.nurse.id, episode).phase == Phase.RECOVERY
            return
        w.s.record_observation(w.nurse.id, episode, good())  # a fresh baseline
        try:
            s.start_dosing(w.nurse.id, episode)
        except NotAllowed:  # an earlier high BP is the baseline: a prescriber accepts it
            s.acknowledge_predose(w.md.id, MD_PIN, episode)
            s.start_dosing(w.nurse.id, episode)
        assert s.episode(episode).phase == Phase.DOSING

    @precondition(lambda self: self._in_phase(Phase.RECOVERY, Phase.READY))
    @rule(data=st.data())
    def sign(self, data: st.DataObject) -> None:
        s, w = self.w.s, self.w
        episode = self._pick(data, self._in_phase(Phase.RECOVERY, Phase.READY))
        w.clock.advance(minutes=31)
        answer_everything(w, episode)
        for c in s.discharge_view(episode).evaluation.criteria:
            if not c.ok:
                s.add_override(w.nurse.id, episode, c.key,
                               f"reviewed at the bedside: {c.label}", w.md.id, MD_PIN)
        state = s.discharge_view(episode)
        assert state.can_sign, state.evaluation.blocking
        result = s.sign_discharge(w.nurse.id, NURSE_PIN, episode)
        self.signed[result.signature.id] = result.signature.content_hash
        assert s.episode(episode).phase == Phase.DISCHARGED
        event("signed")

    @precondition(lambda self: self._in_phase(Phase.DISCHARGED))
    @rule(data=st.data(), text=st.text(min_size=1, max_size=60).filter(str.strip))
    def addendum(self, data: st.DataObject, text: str) -> None:
        episode = self._pick(data, self._in_phase(Phase.DISCHARGED))
        self.w.clock.advance(minutes=5)
        try:
            result = self.w.s.add_addendum(self.w.md.id, MD_PIN, episode, text)
        except ValidationError as refused:  # control characters and the like
            assert refused.field == "addendum"
            return
        self.signed[result.signature.id] = result.signature.content_hash
        event("addendum signed")

    # ------------------------------------------------------------ invariants
    @invariant()
    def record_is_intact(self) -> None:
        assert self.w.s.verify() == []

    @invariant()
    def signed_content_never_changes(self) -> None:
        now = {sig.id: sig.content_hash for e in self._in_phase(Phase.DISCHARGED)
               for sig in self.w.s.episode_view(e).signatures}
        assert now == self.signed

    @invariant()
    def audit_log_only_grows(self) -> None:
        rows = count_rows(self.w.path, "audit")
        assert rows >= self.audit_rows
        self.audit_rows = rows


ClinicMachine.TestCase.settings = settings(
    max_examples=15, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestClinic = ClinicMachine.TestCase
