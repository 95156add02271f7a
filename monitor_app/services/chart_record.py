"""What the documents print beyond the discharge sheet's data: the instructions in the
episode's language, the next appointment, the pre-check answers, timepoint labels, the
initials key, each alert with its acknowledgement and action, who gave the dose, the
audit anchor at signing, and the REMS form's fields with their boxes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from monitor_app.domain.models import AlertAck, Staff
from monitor_app.domain.protocol import Protocol
from monitor_app.reports import sheet_data as sd
from monitor_app.services.context import ServiceContext
from monitor_app.services.views import DischargeView, EpisodeView
from monitor_app.storage import audit
from monitor_app.storage import repository as repo

LANGUAGE_KEY = "instructions_language"  # a checklist answer: audited, locked at signing


def _yes_no(answer: object) -> str:
    return "Yes" if answer is True else "No" if answer is False else ""


def instructions_language(ctx: ServiceContext, episode_id: int, protocol: Protocol) -> str:
    """The language chosen for the episode; else the clinic's, when the protocol has
    it; else the protocol's default."""
    answer = repo.current_checklist(ctx.db, episode_id).get(LANGUAGE_KEY)
    chosen = str(answer.details.get("language", "")) if answer is not None else ""
    for language in (chosen, ctx.settings().language):
        if language in protocol.languages:
            return language
    return protocol.instructions_language


def record_extras(ctx: ServiceContext, state: DischargeView,
                  base: sd.SheetData) -> dict[str, Any]:
    """Fields of ``SheetData`` for the chart copy, the patient copy and the REMS form."""
    view = state.episode
    episode_id = view.episode.id
    language = instructions_language(ctx, episode_id, view.protocol)
    text = view.protocol.instructions_in(language)
    staff = {m.id: m for m in repo.list_staff(ctx.db, include_inactive=True)}
    acks = repo.list_alert_acks(ctx.db, episode_id)
    labels = _timepoints(view)
    return {
        "language": language, "instructions_title": text.title, "instructions": text.lines,
        "next_appointment": _next_appointment(state),
        "observations": [replace(o, timepoint=labels.get(r.observation.id, ""))
                         for o, r in zip(base.observations, view.rows, strict=True)],
        "staff_key": _staff_key(view, staff, acks),
        "precheck": [(item.label, _yes_no(view.episode.precheck.get(item.key)))
                     for item in view.protocol.precheck],
        "alert_log": _alert_log(view, staff, acks),
        "dosing_by": _dosing_by(ctx, view, staff),
        "anchor": _anchor(ctx, view),
        "rems_form": [sd.SheetRemsField(i.field.label, i.value, i.field.section, i.field.type,
                                        i.field.choices) for i in state.rems],
        "version": sum(1 for a in view.addenda if a.signature is not None),
    }


def _timepoints(view: EpisodeView) -> dict[int, str]:
    """observation id -> the schedule slot it filled ("baseline", "end of infusion" ...)."""
    by_time = {slot.taken_at: slot.label for slot in view.status.slots
               if slot.taken_at is not None}
    labels = {}
    for row in view.current_rows:
        obs = row.observation
        if view.baseline is not None and obs.id == view.baseline.id:
            labels[obs.id] = "baseline"
        elif obs.taken_at in by_time:
            labels[obs.id] = by_time[obs.taken_at]
    return labels


def _next_appointment(state: DischargeView) -> str:
    answer = state.manual.get("next_appointment")
    if answer is None:
        return ""
    if answer.not_applicable:
        return "None booked"
    return str(answer.details.get("next_appointment", "")).strip()


def _staff_key(view: EpisodeView, staff: dict[int, Staff],
               acks: list[AlertAck]) -> list[tuple[str, str]]:
    """Initials printed on the sheet -> full name and credentials, for everyone who
    recorded an observation or acknowledged an alert."""
    ids = {r.observation.recorded_by for r in view.rows}
    ids |= {a.acknowledged_by for a in acks}
    ids |= {r.recorded_by for row in view.rows for r in row.responses}
    people = sorted((staff[i] for i in ids if i in staff), key=lambda m: (m.initials, m.name))
    return [(m.initials, m.display) for m in people]


def _alert_log(view: EpisodeView, staff: dict[int, Staff],
               acks: list[AlertAck]) -> list[sd.SheetAlertEntry]:
    by_code = {(a.observation_id, a.code): a for a in acks}
    log = []
    for row in view.rows:
        if row.observation.voided:
            continue
        for alert in row.alerts:
            ack = by_code.get((row.observation.id, alert.code))
            action = "; ".join(r.text for r in row.responses if alert.code in r.codes)
            who = staff[ack.acknowledged_by].display if ack and ack.acknowledged_by in staff \
                else ""
            log.append(sd.SheetAlertEntry(row.observation.taken_at, alert.message, who,
                                          ack.acknowledged_at if ack else None, action))
    return log


def _dosing_by(ctx: ServiceContext, view: EpisodeView, staff: dict[int, Staff]) -> str:
    """Who started the dose: the actor of the audit event that moved it to dosing."""
    episode = view.episode
    if episode.dosing_start is None:
        return ""
    for event in audit.events(ctx.db, table_name="episodes", row_id=episode.id):
        if (event.after and event.after.get("phase") == "dosing"
                and (event.before or {}).get("phase") != "dosing"
                and event.actor_id in staff):
            return staff[event.actor_id].display
    return ""


def _anchor(ctx: ServiceContext, view: EpisodeView) -> sd.SheetAnchor | None:
    """The audit event that recorded the discharge signature: the chain's head then."""
    signed = next((x for x in view.signatures if x.kind == "discharge"), None)
    if signed is None:
        return None
    events = audit.events(ctx.db, table_name="signatures", row_id=signed.id, limit=1)
    return sd.SheetAnchor(events[0].id, events[0].hash) if events else None
