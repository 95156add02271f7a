"""Entering a new episode: the patient, the treatment, the escort and the pre-check.

Every field is checked before anything is refused, so the form can show each
problem next to its field at once (``ValidationErrors``). A new patient and their
first episode are saved in one transaction: a refused episode leaves no patient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from monitor_app.domain import units
from monitor_app.domain.models import (
    Episode,
    EpisodeCorrection,
    Escort,
    Patient,
    ValidationError,
    ValidationErrors,
)
from monitor_app.domain.protocol import Protocol
from monitor_app.domain.text import clean_text
from monitor_app.services.context import ServiceContext
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.storage import repository as repo

T = TypeVar("T")
WEIGHT_RANGE_KG = (20, 350)
DOSE_RANGE_MG = (1, 1000)


def number(text: str | float, key: str, label: str, low: float, high: float) -> float:
    """A typed weight or dose: the domain's decimal rule (``domain.units.decimal``)."""
    return units.decimal(text, key, label, low, high)


class Problems:
    """Collects refusals field by field; ``done()`` raises them all together."""

    def __init__(self) -> None:
        self.found: list[ValidationError] = []

    def check(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return check(*args, **kwargs)
        except ValidationErrors as exc:
            self.found.extend(exc.errors)
        except ValidationError as exc:
            self.found.append(exc)
        return None

    def add(self, key: str, message: str) -> None:
        self.found.append(ValidationError(key, message))

    def has(self, key: str) -> bool:
        return any(e.field == key for e in self.found)

    def done(self) -> None:
        if self.found:
            raise ValidationErrors(self.found)


@dataclass(frozen=True)
class PatientEntry:
    mrn: str
    name: str
    dob: date
    sex: str


@dataclass(frozen=True)
class EpisodeEntry:
    protocol: Protocol
    chair: str
    weight_kg: float  # 0.0: not recorded (a fixed-dose protocol does not need it)
    dose_mg: float
    dose_reason: str
    escort: Escort
    lot_number: str
    precheck: dict[str, bool]


@dataclass(frozen=True)
class PreviousEpisode:
    """What the patient's last episode can offer the next one (the nurse confirms it)."""

    number: str
    opened: datetime
    weight_kg: float  # 0.0 when it was not recorded
    escort: Escort


def _dob(value: date | str, today: date) -> date:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValidationError("dob", "choose the date of birth")
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise ValidationError("dob", "date of birth as YYYY-MM-DD") from None
    if not date(1900, 1, 1) <= value <= today:
        raise ValidationError("dob", "date of birth must be between 1900 and today")
    return value


def _sex(value: str) -> str:
    if value not in ("", "F", "M", "X"):
        raise ValidationError("sex", "sex must be F, M, X or blank")
    return value


class EntryUseCases:
    def __init__(self, ctx: ServiceContext, episodes: EpisodeUseCases) -> None:
        self.ctx = ctx
        self.episodes = episodes

    # ------------------------------------------------------------------ patients
    def add_patient(self, actor_id: int, mrn: str, name: str, dob: date | str,
                    sex: str = "") -> Patient:
        self.ctx.active_actor(actor_id)
        entry = self._patient_entry(mrn, name, dob, sex)
        return repo.add_patient(self.ctx.db, mrn=entry.mrn, name=entry.name, dob=entry.dob,
                                sex=entry.sex, actor_id=actor_id, at=self.ctx.clock.now())

    def _patient_entry(self, mrn: str, name: str, dob: date | str, sex: str,
                       problems: Problems | None = None) -> PatientEntry:
        own = problems is None
        problems = problems or Problems()
        mrn_text = problems.check(clean_text, mrn, "mrn", "MRN")
        taken = repo.mrn_taken(self.ctx.db, mrn_text) if mrn_text else ""
        if taken:
            problems.add("mrn", taken)
        name_text = problems.check(clean_text, name, "patient_name", "patient's name")
        born = problems.check(_dob, dob, self.ctx.clock.now().date())
        same = repo.registered_as(self.ctx.db, name_text, born) if name_text and born \
            and not taken else ""
        if same:
            problems.add("patient_name", f"{name_text}, born {born}, is already registered "
                         f"as MRN {same}: find them under Find patient (someone else with "
                         "the same name and birth date: add their middle name)")
        sex_value = problems.check(_sex, sex)
        if own:
            problems.done()
        return PatientEntry(mrn_text or "", name_text or "", born or date(1900, 1, 1),
                            sex_value or "")

    # ------------------------------------------------------------------ episodes
    def open_episode(self, actor_id: int, patient_id: int | None, protocol_id: str,
                     chair: str, weight_kg: float | str, dose_mg: float | str,
                     escort: Escort, precheck: Mapping[str, object],
                     lot_number: str = "", dose_reason: str = "") -> Episode:
        """Open an episode for a registered patient; every refused field is reported."""
        self.ctx.active_actor(actor_id)
        problems = Problems()
        if patient_id is None:
            problems.add("patient", "find the patient by MRN or name, or tick New patient "
                         "and enter theirs")
        elif repo.get_patient(self.ctx.db, patient_id) is None:
            problems.add("patient", f"no patient with id {patient_id}")
        entry = self._episode_entry(problems, patient_id, protocol_id, chair, weight_kg,
                                    dose_mg, escort, precheck, lot_number, dose_reason)
        problems.done()
        assert entry is not None and patient_id is not None
        return repo.create_episode(
            self.ctx.db, patient_id, entry.protocol.id, entry.protocol.version, entry.chair,
            entry.weight_kg, entry.dose_mg, escort=entry.escort, lot_number=entry.lot_number,
            precheck=entry.precheck, dose_reason=entry.dose_reason, actor_id=actor_id,
            at=self.ctx.clock.now())

    def open_episode_for_new_patient(
        self, actor_id: int, mrn: str, name: str, dob: date | str, sex: str,
        protocol_id: str, chair: str, weight_kg: float | str, dose_mg: float | str,
        escort: Escort, precheck: Mapping[str, object], lot_number: str = "",
        dose_reason: str = "",
    ) -> tuple[Patient, Episode]:
        """Register the patient and open their episode together, or neither."""
        self.ctx.active_actor(actor_id)
        problems = Problems()
        patient = self._patient_entry(mrn, name, dob, sex, problems)
        entry = self._episode_entry(problems, None, protocol_id, chair, weight_kg, dose_mg,
                                    escort, precheck, lot_number, dose_reason)
        problems.done()
        assert entry is not None
        return repo.create_patient_and_episode(
            self.ctx.db, mrn=patient.mrn, name=patient.name, dob=patient.dob, sex=patient.sex,
            protocol_id=entry.protocol.id, protocol_version=entry.protocol.version,
            chair=entry.chair, weight_kg=entry.weight_kg, dose_mg=entry.dose_mg,
            escort=entry.escort, lot_number=entry.lot_number, precheck=entry.precheck,
            dose_reason=entry.dose_reason, actor_id=actor_id, at=self.ctx.clock.now())

    def _episode_entry(self, problems: Problems, patient_id: int | None,
                       protocol_id: str, chair: str, weight_kg: float | str,
                       dose_mg: float | str, escort: Escort, precheck: Mapping[str, object],
                       lot_number: str, dose_reason: str) -> EpisodeEntry | None:
        protocol = self.ctx.protocols.get(protocol_id)
        if protocol is None:
            problems.add("protocol", "choose a protocol")
        chair_text = problems.check(clean_text, chair, "chair", "chair or bay")
        weight = self._weight(problems, protocol, weight_kg)
        dose = problems.check(number, dose_mg, "dose", "dose (mg)", *DOSE_RANGE_MG)
        reason = ""
        if protocol is not None and dose is not None and protocol.fixed_doses_mg \
                and dose not in protocol.fixed_doses_mg:
            doses = " or ".join(f"{d} mg" for d in protocol.fixed_doses_mg)
            reason = problems.check(clean_text, dose_reason, "dose_reason",
                                    f"reason for a dose other than {doses}") or ""
        people = (problems.check(clean_text, escort.name, "escort_name", "escort's name"),
                  problems.check(clean_text, escort.relationship, "escort_relationship",
                                 "relationship", required=False),
                  problems.check(clean_text, escort.phone, "escort_phone", "escort's phone"))
        needs_lot = protocol is not None and protocol.requires_lot_number
        lot = problems.check(clean_text, lot_number, "lot_number", "lot number",
                             required=needs_lot)
        answers: dict[str, bool] = {}
        if protocol is not None:
            answers = {item.key: bool(precheck.get(item.key)) for item in protocol.precheck}
            unanswered = [item.label for item in protocol.precheck if not answers[item.key]]
            if len(unanswered) == len(answers):
                problems.add("precheck", "confirm every pre-check item (none is ticked)")
            elif unanswered:
                problems.add("precheck", "confirm every pre-check item: "
                             + "; ".join(unanswered))
        active = repo.list_active_episodes(self.ctx.db)
        busy = [e for e in active if chair_text and e.chair == chair_text]
        if busy:
            problems.add("chair", f"chair {chair_text} is taken by episode {busy[0].number}")
        if patient_id is not None and any(e.patient_id == patient_id for e in active):
            problems.add("patient", "this patient already has an open episode")
        if problems.found or protocol is None:
            return None
        return EpisodeEntry(protocol, chair_text or "", weight or 0.0, dose or 0.0, reason,
                            Escort(people[0] or "", people[1] or "", people[2] or ""),
                            lot or "", answers)

    @staticmethod
    def _weight(problems: Problems, protocol: Protocol | None,
                weight_kg: float | str) -> float | None:
        if protocol is not None and protocol.fixed_dose and not str(weight_kg).strip():
            return 0.0  # not needed to dose: may be left blank
        return problems.check(number, weight_kg, "weight", "weight (kg)", *WEIGHT_RANGE_KG)

    def previous_episode(self, patient_id: int) -> PreviousEpisode | None:
        """The patient's latest episode, whose weight and escort the form offers."""
        found = repo.list_episodes(self.ctx.db, limit=1, patient_id=patient_id)
        if not found:
            return None
        last = found[0]
        return PreviousEpisode(last.number, last.created_at, last.weight_kg, last.escort)

    # ------------------------------------------------------------------ corrections
    def correct_episode_value(self, actor_id: int, episode_id: int, field: str,
                              value: float | str, reason: str) -> Episode:
        """Correct the weight or dose before signing; the old value stays on record."""
        self.ctx.active_actor(actor_id)
        self.episodes.writable(episode_id)
        episode = self.episodes.episode(episode_id)
        problems = Problems()
        if field == "weight_kg":
            new = problems.check(number, value, "weight", "weight (kg)", *WEIGHT_RANGE_KG)
        elif field == "dose_mg":
            new = problems.check(number, value, "dose", "dose (mg)", *DOSE_RANGE_MG)
        else:
            raise ValidationError("field", "only the weight or the dose can be corrected")
        text = problems.check(clean_text, reason, "correction_reason",
                              "reason for the correction")
        if new is not None and new == getattr(episode, field):
            problems.add("weight" if field == "weight_kg" else "dose",
                         "the new value is the same as the recorded one")
        problems.done()
        assert new is not None and text is not None
        corrected, _ = repo.correct_episode_value(self.ctx.db, episode_id, field, new, text,
                                                  actor_id=actor_id, at=self.ctx.clock.now())
        return corrected

    def episode_corrections(self, episode_id: int) -> list[EpisodeCorrection]:
        return repo.list_episode_corrections(self.ctx.db, episode_id)
