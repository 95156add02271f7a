"""A demo clinic: staff with PINs, patients, and episodes in every phase on both protocols.

Built through the real services with a clock that walks through the last few hours,
so every row, audit event and signature is exactly what the app itself would write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from monitor_app.clock import FixedClock, SystemClock
from monitor_app.domain.discharge import ManualAnswer
from monitor_app.domain.models import Escort, Role
from monitor_app.services import Services
from monitor_app.services.views import ClinicSettings, ObservationRow


@dataclass(frozen=True)
class DemoStaff:
    name: str
    credentials: str
    role: Role
    pin: str


# Demo PINs are easy to type (1111...): the demo clinic lowers the minimum PIN length
# to 4, which a real clinic keeps at 6 or more.
DEMO_MIN_PIN = 4
STAFF = (
    DemoStaff("Alex Morgan", "RN", Role.ADMIN, "1111"),
    DemoStaff("Priya Shah", "RN", Role.NURSE, "2222"),
    DemoStaff("Tomás Álvarez", "RN", Role.NURSE, "3333"),
    DemoStaff("Helen O'Connor", "MD", Role.PRESCRIBER, "4444"),
)

PATIENTS = (
    ("MRN-100231", "Dana Whitfield", date(1984, 3, 12), "F"),
    ("MRN-100232", "Marcus O'Neill", date(1979, 11, 2), "M"),
    ("MRN-100233", "Zoë Łukasiewicz", date(1991, 6, 30), "F"),
    ("MRN-100234", "Jamal Rivers", date(1967, 1, 19), "M"),
    ("MRN-100235", "Nguyễn Thị Minh", date(1988, 8, 8), "F"),
    ("MRN-100236", "Sofía Ramírez", date(1995, 2, 14), "F"),
    ("MRN-100237", "Eleni Papadopoulou", date(1973, 9, 5), "F"),
    ("MRN-100238", "Noah Fischer", date(2000, 12, 24), "X"),
    ("MRN-100239", "Grace Adeyemi", date(1982, 4, 27), "F"),
    ("MRN-100240", "Oliver Brandt", date(1958, 7, 1), "M"),
)

IV_PRECHECK = ("fasting", "escort_arranged", "no_uncontrolled_hypertension", "no_psychosis",
               "not_pregnant", "substance_use_reviewed", "interacting_medicines_reviewed")


def vitals(hr: int, bp: str, spo2: int = 98, rr: int = 14, moaas: int = 5, dis: int = 0,
           **extra: object) -> dict[str, object]:
    return {"hr": str(hr), "bp": bp, "spo2": str(spo2), "rr": str(rr), "moaas": str(moaas),
            "dissociation": str(dis), **extra}


class DemoBuilder:
    def __init__(self, services: Services, now: datetime) -> None:
        self.s = services
        self.now = now
        self.clock = FixedClock(now - timedelta(hours=6))
        services.clock = self.clock
        self.staff: dict[str, int] = {}
        self.patients: list[int] = []

    def at(self, minutes_ago: float) -> None:
        self.clock.set(self.now - timedelta(minutes=minutes_ago))

    def build(self) -> None:
        s = self.s
        admin = s.setup_clinic("Riverside Ketamine Clinic", STAFF[0].name, STAFF[0].credentials,
                               STAFF[0].pin, STAFF[0].pin, min_pin_length=DEMO_MIN_PIN)
        self.staff["admin"] = admin.id
        for member in STAFF[1:]:
            added = s.add_staff(admin.id, member.name, member.credentials, member.role,
                                member.pin, member.pin)
            self.staff[member.pin] = added.id
        s.save_settings(admin.id, ClinicSettings(
            clinic_name="Riverside Ketamine Clinic", address="12 Harbour Road, Springfield",
            phone="(555) 010-2030", paper="Letter", min_pin_length=DEMO_MIN_PIN,
            provider_email="monitoring@riverside-clinic.example"))
        for mrn, name, dob, sex in PATIENTS:
            self.patients.append(s.add_patient(admin.id, mrn, name, dob, sex).id)
        self._episodes()
        s.clock = SystemClock()

    # One call per chair; minutes are "minutes before now".
    def _episodes(self) -> None:
        nurse, nurse2, md = self.staff["2222"], self.staff["3333"], self.staff["4444"]
        self.signed_iv(self.patients[6], "4", nurse, md, start=330)
        self.signed_rems(self.patients[7], "6", nurse2, md, start=300)
        self.cancelled(self.patients[8], "5", nurse, start=240)
        self.precheck(self.patients[0], "1", nurse)
        self.iv(self.patients[1], "2", nurse, start=25, end=None)
        self.iv(self.patients[2], "3", nurse2, start=33, end=None, skip_last=True)
        self.iv(self.patients[3], "7", nurse, start=95, end=50, high_bp=True)
        self.iv(self.patients[4], "8", nurse2, start=110, end=62, settled=True)
        self.rems(self.patients[5], "9", nurse, start=37)

    def _open(self, patient: int, chair: str, protocol: str, nurse: int, minutes_ago: float,
              weight: float, dose: float, lot: str = "") -> int:
        self.at(minutes_ago)
        keys = [i.key for i in self.s.protocols[protocol].precheck]
        escort = Escort("Sam Whitfield", "partner", "(555) 010-7788")
        episode = self.s.open_episode(nurse, patient, protocol, chair, weight, dose, escort,
                                      dict.fromkeys(keys, True), lot)
        return episode.id

    def _obs(self, nurse: int, episode: int, minutes_ago: float, raw: dict[str, object]
             ) -> ObservationRow:
        self.at(minutes_ago)
        return self.s.record_observation(nurse, episode, raw)

    def precheck(self, patient: int, chair: str, nurse: int) -> None:
        self._open(patient, chair, "ketamine-iv", nurse, 4, 72.5, 36)

    def iv(self, patient: int, chair: str, nurse: int, start: float, end: float | None,
           skip_last: bool = False, high_bp: bool = False, settled: bool = False,
           until: float = 0) -> int:
        e = self._open(patient, chair, "ketamine-iv", nurse, start + 15, 80, 40)
        self._obs(nurse, e, start + 8, vitals(76, "124/78"))
        self.at(start)
        self.s.start_dosing(nurse, e)
        stop = end if end is not None else 0
        minute = start - 10
        rise = 0
        while minute > stop + 0.5:
            if skip_last and minute - 10 < stop:
                break
            rise += 6
            bp = f"{124 + rise}/{78 + rise // 2}"
            self._obs(nurse, e, minute - 0.5, vitals(80 + rise // 3, bp, moaas=4, dis=1))
            minute -= 10
        if end is None:
            return e
        self.at(end)
        self.s.end_dosing(nurse, e)
        first = self._obs(nurse, e, end - 1, vitals(88, "168/104" if high_bp else "142/88",
                                                    moaas=4, dis=1, side_effects=["dizziness"]))
        if first.alerts:  # acknowledged, saying what was done
            self.s.acknowledge_alerts(nurse, first.observation.id,
                                      [a.code for a in first.alerts], "prescriber_informed",
                                      "Dr O'Connor informed at the bedside")
        after = end - 15
        while after > until:
            if high_bp:
                raw = vitals(96, "182/112", moaas=5, dis=1, side_effects=["nausea"])
            elif settled:
                raw = vitals(78, "130/82")
            else:
                raw = vitals(84, "136/84", dis=1)
            self._obs(nurse, e, after - 0.5, raw)
            after -= 15
        return e

    def rems(self, patient: int, chair: str, nurse: int, start: float) -> int:
        e = self._open(patient, chair, "esketamine-rems", nurse, start + 20, 64, 56, "LOT-ES-2291")
        self._obs(nurse, e, start + 10, vitals(72, "118/76"))
        self.at(start)
        self.s.start_dosing(nurse, e)
        self.at(start - 10)
        self.s.end_dosing(nurse, e)
        self._obs(nurse, e, start - 15, vitals(80, "132/84", moaas=4, dis=2,
                                              side_effects=["dizziness"]))
        return e

    def _discharge(self, e: int, nurse: int, md: int, now: float, rems: bool = False) -> None:
        self.at(now)
        s = self.s
        s.answer_aldrete(nurse, e, 2, 2)
        for item in s.episode_view(e).protocol.manual:
            details = {k: {"escort_name": "Sam Whitfield", "escort_phone": "(555) 010-7788",
                           "next_appointment": "Next Tuesday 10:00"}[k] for k in item.details}
            s.answer_manual(nurse, e, item.key, ManualAnswer(True, False, details))
        if rems:
            for key, value in (("first_treatment", "no"), ("benzodiazepines", "no"),
                               ("sedative_hypnotics", "no"), ("psychostimulants", "no"),
                               ("maois", "no"), ("ready_minute", "95"),
                               ("vitals_ok_before_dosing", "yes"),
                               ("vitals_ok_before_end", "yes"), ("sedation", "yes"),
                               ("dissociation", "yes"), ("respiratory_depression", "no"),
                               ("serious_adverse_events", "none")):
                s.answer_rems(nurse, e, key, value)
        pin = next(m.pin for m in STAFF if self.staff.get(m.pin) == nurse)
        s.sign_discharge(nurse, pin, e)

    def signed_iv(self, patient: int, chair: str, nurse: int, md: int, start: float) -> None:
        end = start - 45
        e = self.iv(patient, chair, nurse, start, end, settled=True, until=end - 31)
        self._discharge(e, nurse, md, end - 42)

    def signed_rems(self, patient: int, chair: str, nurse: int, md: int, start: float) -> None:
        e = self._open(patient, chair, "esketamine-rems", nurse, start + 20, 70, 84, "LOT-ES-2291")
        self._obs(nurse, e, start + 10, vitals(70, "120/78"))
        self.at(start)
        self.s.start_dosing(nurse, e)
        self.at(start - 8)
        self.s.end_dosing(nurse, e)
        for minute, raw in ((40, vitals(84, "138/86", moaas=4, dis=2)),
                            (70, vitals(80, "130/82", dis=1)), (100, vitals(76, "126/80")),
                            (125, vitals(74, "124/80"))):
            self._obs(nurse, e, start - minute, raw)
        self._discharge(e, nurse, md, start - 127, rems=True)

    def cancelled(self, patient: int, chair: str, nurse: int, start: float) -> None:
        e = self._open(patient, chair, "ketamine-iv", nurse, start, 90, 45)
        self._obs(nurse, e, start - 5, vitals(92, "150/96"))
        self.at(start - 8)
        self.s.cancel_episode(nurse, e, "Patient felt unwell before dosing; rebooked")


# The simulator's devices (scripts/monitor_sim.py): three chairs with open episodes and
# chair 5, empty now, whose readings go to the log of readings attached to nobody.
DEMO_MONITORS = (("MON-01", "1"), ("MON-02", "2"), ("MON-03", "3"), ("MON-05", "5"))


def build_demo(db_path: Path, monitor_port: int | None = None) -> list[DemoStaff]:
    """Build the demo clinic in a NEW database; refuses an existing file. With
    ``monitor_port``, bedside monitors are on, listening there for the simulator."""
    if db_path.exists():
        raise FileExistsError(db_path)
    services = Services.open(db_path)
    try:
        builder = DemoBuilder(services, SystemClock().now())
        builder.build()
        if monitor_port is not None:
            from monitor_app.services.monitor import MonitorSettings

            services.monitor.save_settings(builder.staff["admin"], MonitorSettings(
                enabled=True, port=monitor_port,
                allowlist=tuple(device for device, _ in DEMO_MONITORS),
                chairs=DEMO_MONITORS))
    finally:
        services.close()
    return list(STAFF)
