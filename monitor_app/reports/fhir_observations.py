"""Recorded values -> FHIR Observations, driven by the code table (one map per value).

One Observation per recorded value and observation set (the blood pressure pair is one
panel with two components). A voided set's Observations are ``entered-in-error``; the
correction is a new set, hence new ``final`` Observations that say what they correct.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from monitor_app.domain.models import Episode, Observation
from monitor_app.reports.fhir_codes import FhirCodes, ObservationMap

Resource = dict[str, Any]


def fhir_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _has_value(value: object) -> bool:
    return value is not None and value != () and value != ""


def _value(entry: ObservationMap, source: object, ucum: str) -> Resource:
    value = getattr(source, entry.field)
    if entry.value == "quantity":
        return {"valueQuantity": {"value": value, "unit": entry.unit_display,
                                  "system": ucum, "code": entry.unit}}
    if entry.value == "integer":
        return {"valueInteger": int(value)}
    if entry.value == "text":
        return {"valueString": ", ".join(value) if isinstance(value, tuple) else str(value)}
    components = []
    for c in entry.components:
        part = getattr(source, c.field)
        if part is None:
            continue
        components.append({"code": {"coding": [x.coding() for x in c.codes], "text": c.text},
                           "valueQuantity": {"value": part, "unit": c.unit_display,
                                             "system": ucum, "code": c.unit}})
    return {"component": components}


def _base(entry: ObservationMap, codes: FhirCodes, status: str, context: Mapping[str, str],
          effective: datetime) -> Resource:
    resource: Resource = {"resourceType": "Observation"}
    if entry.profiles:
        resource["meta"] = {"profile": list(entry.profiles)}
    resource.update({
        "status": status,
        "category": [{"coding": [{"system": codes.category_system, "code": entry.category,
                                  "display": entry.category_display}],
                      "text": entry.category_display}],
        "code": {"coding": [c.coding() for c in entry.codes], "text": entry.text},
        "subject": {"reference": context["patient"]},
        "encounter": {"reference": context["encounter"]},
        "effectiveDateTime": fhir_instant(effective),
    })
    return resource


def observation_resources(
    episode: Episode,
    observations: Sequence[Observation],
    codes: FhirCodes,
    urn: Callable[..., str],
    context: Mapping[str, str],
    practitioner_ref: Callable[[int], dict[str, str]],
) -> Iterator[tuple[Resource, str]]:
    """(resource, full URL) for every recorded value, episode values first."""
    by_id = {o.id: o for o in observations}
    for entry in codes.observations:
        if entry.source != "episode" or not _has_value(getattr(episode, entry.field)):
            continue
        resource = _base(entry, codes, "final", context, episode.created_at)
        resource["issued"] = fhir_instant(episode.created_at)
        resource["performer"] = [practitioner_ref(episode.created_by)]
        resource.update(_value(entry, episode, codes.ucum))
        yield resource, urn("episode-value", episode.number, entry.key)
    for o in observations:
        notes = _notes(o, by_id, practitioner_ref)
        for entry in codes.observations:
            if entry.source != "vitals" or not _has_value(getattr(o.vitals, entry.field)):
                continue
            status = "entered-in-error" if o.voided else "final"
            resource = _base(entry, codes, status, context, o.taken_at)
            resource["issued"] = fhir_instant(o.entered_at)
            resource["performer"] = [practitioner_ref(o.recorded_by)]
            resource.update(_value(entry, o.vitals, codes.ucum))
            these = list(notes)
            if entry.note_when and getattr(o.vitals, entry.note_when):
                these.append(entry.note_text)
            if these:
                resource["note"] = [{"text": text} for text in these]
            yield resource, urn("observation", o.id, entry.key)


def _notes(o: Observation, by_id: Mapping[int, Observation],
           practitioner_ref: Callable[[int], dict[str, str]]) -> list[str]:
    notes = []
    if o.voided and o.voided_at is not None:
        who = practitioner_ref(o.voided_by).get("display", "") if o.voided_by else ""
        notes.append(f"Entered in error: voided {fhir_instant(o.voided_at)}"
                     f"{' by ' + who if who else ''}. Reason: {o.void_reason}")
    if o.supersedes is not None:
        old = by_id.get(o.supersedes)
        reason = f" Reason: {old.void_reason}" if old is not None and old.void_reason else ""
        notes.append(f"Correction of a value entered in error "
                     f"(taken {fhir_instant(old.taken_at) if old else 'earlier'}).{reason}")
    return notes
