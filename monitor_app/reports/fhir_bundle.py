"""A signed episode as one FHIR R4 transaction Bundle (JSON-ready dicts), from plain data.

Every entry is a conditional create (``request.ifNoneExist``) keyed on an identifier, so
importing the same bundle twice does not duplicate anything. Identifiers other than the
MRN are stable UUIDs derived from the clinic's MRN system URI and the record's own ids
(system ``urn:ietf:rfc:3986``); Provenance has no identifier in R4, so its key is a
``meta.tag`` of the same form. Codes and units come from ``FhirCodes`` (the data file).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from monitor_app.domain.models import Episode, Observation, Patient, Staff
from monitor_app.reports.fhir_codes import FhirCodes
from monitor_app.reports.fhir_observations import fhir_instant, observation_resources

URI_SYSTEM = "urn:ietf:rfc:3986"
GENDER = {"F": "female", "M": "male", "X": "other", "": "unknown"}
Resource = dict[str, Any]


@dataclass(frozen=True)
class SignatureFacts:
    id: int
    kind: str  # "discharge" or "addendum"
    signer_id: int
    meaning: str  # "Discharged by"
    signed_at: datetime
    content_hash: str  # SHA-256 (hex) of exactly what was signed


@dataclass(frozen=True)
class EpisodeExport:
    """Everything the bundle needs, gathered by the services."""

    mrn_system: str
    patient: Patient
    episode: Episode
    protocol_name: str
    drug: str
    route: str
    observations: tuple[Observation, ...]  # all, voided included
    staff: Mapping[int, Staff]
    dosing_by: int  # who started dosing
    signatures: tuple[SignatureFacts, ...]  # discharge first
    sheet_pdf: bytes
    sheet_title: str
    generated_at: datetime


class _Ids:
    """Stable ids: the same record gives the same UUID in every export."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def urn(self, *parts: object) -> str:
        name = "|".join([self.namespace, *(str(p) for p in parts)])
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def search_token(system: str, value: str) -> str:
    """``system|value`` for a token search, FHIR-escaped then URL-encoded."""
    def escape(text: str) -> str:
        for char in "\\|,$":
            text = text.replace(char, "\\" + char)
        return quote(text, safe=":/")
    return f"{escape(system)}|{escape(value)}"


class _BundleBuilder:
    def __init__(self, data: EpisodeExport, codes: FhirCodes) -> None:
        self.data = data
        self.codes = codes
        self.ids = _Ids(data.mrn_system)
        self.entries: list[dict[str, Any]] = []
        self.patient_ref = self.ids.urn("patient", data.patient.mrn)
        self.encounter_ref = self.ids.urn("episode", data.episode.number)

    def practitioner_ref(self, staff_id: int) -> dict[str, str]:
        member = self.data.staff.get(staff_id)
        ref = {"reference": self.ids.urn("staff", staff_id)}
        if member is not None:
            ref["display"] = member.display
        return ref

    def add(self, resource: Resource, full_url: str, if_none_exist: str) -> None:
        self.entries.append({
            "fullUrl": full_url, "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"],
                        "ifNoneExist": if_none_exist},
        })

    def add_keyed(self, resource: Resource, full_url: str) -> None:
        """Identifier = the full URL (a URN), which is also the conditional-create key."""
        resource.setdefault("identifier", []).insert(0, {"system": URI_SYSTEM,
                                                         "value": full_url})
        self.add(resource, full_url, "identifier=" + search_token(URI_SYSTEM, full_url))

    # ------------------------------------------------------------------ resources
    def patient(self) -> None:
        p = self.data.patient
        self.add({"resourceType": "Patient",
                  "identifier": [{"use": "usual", "type": {"text": "MRN"},
                                  "system": self.data.mrn_system, "value": p.mrn}],
                  "name": [{"text": p.name}],
                  "gender": GENDER.get(p.sex, "unknown"),
                  "birthDate": p.dob.isoformat()},
                 self.patient_ref,
                 "identifier=" + search_token(self.data.mrn_system, p.mrn))

    def practitioners(self) -> None:
        for staff_id in sorted(self.involved()):
            member = self.data.staff.get(staff_id)
            if member is None:
                continue
            resource: Resource = {"resourceType": "Practitioner", "active": member.active,
                                  "name": [{"text": member.name}]}
            if member.credentials:
                resource["qualification"] = [{"code": {"text": member.credentials}}]
            self.add_keyed(resource, self.ids.urn("staff", staff_id))

    def involved(self) -> set[int]:
        d = self.data
        ids = {d.episode.created_by, d.dosing_by, *(s.signer_id for s in d.signatures)}
        for o in d.observations:
            ids.add(o.recorded_by)
            if o.voided_by is not None:
                ids.add(o.voided_by)
        return ids

    def encounter(self) -> None:
        e = self.data.episode
        period = {"start": fhir_instant(e.created_at)}
        if e.closed_at is not None:
            period["end"] = fhir_instant(e.closed_at)
        self.add_keyed({
            "resourceType": "Encounter",
            "identifier": [{"type": {"text": "Episode number"}, "value": e.number}],
            "status": "finished" if e.closed_at else "in-progress",
            "class": self.codes.encounter_class.coding(),
            "type": [{"text": self.data.protocol_name}],
            "subject": {"reference": self.patient_ref},
            "participant": [{"individual": self.practitioner_ref(i)}
                            for i in sorted(self.involved())],
            "period": period,
            "location": [{"location": {"display": f"Chair {e.chair}"}}],
        }, self.encounter_ref)

    def medication_administration(self) -> str:
        d, e = self.data, self.data.episode
        route = self.codes.routes.get(d.route)
        route_concept: Resource = {"text": d.route}
        if route is not None:
            route_concept["coding"] = [route.coding()]
        period: Resource = {}
        if e.dosing_start is not None:
            period["start"] = fhir_instant(e.dosing_start)
        if e.dosing_end is not None:
            period["end"] = fhir_instant(e.dosing_end)
        unit = self.codes.dose_unit
        dosage_text = f"{e.dose_mg:g} {unit} {d.route}"
        if e.dose_mg_per_kg:
            dosage_text += f" ({e.dose_mg_per_kg:.2f} {unit}/kg at {e.weight_kg:g} kg)"
        resource: Resource = {
            "resourceType": "MedicationAdministration",
            "status": "completed" if e.dosing_end else "in-progress",
            "medicationCodeableConcept": {"text": d.drug},
            "subject": {"reference": self.patient_ref},
            "context": {"reference": self.encounter_ref},
            "effectivePeriod": period,
            "performer": [{"actor": self.practitioner_ref(d.dosing_by)}],
            "dosage": {"text": dosage_text, "route": route_concept,
                       "dose": {"value": e.dose_mg, "unit": unit,
                                "system": self.codes.ucum, "code": unit}},
        }
        if e.lot_number:
            resource["note"] = [{"text": f"Lot number {e.lot_number}"}]
        full_url = self.ids.urn("dose", e.number)
        self.add_keyed(resource, full_url)
        return full_url

    def document(self) -> str:
        d = self.data
        last = d.signatures[-1]
        pdf = d.sheet_pdf
        full_url = self.ids.urn("sheet", d.episode.number, last.id)
        self.add_keyed({
            "resourceType": "DocumentReference",
            "status": "current", "docStatus": "final",
            "type": {"text": self.codes.document_type_text},
            "subject": {"reference": self.patient_ref},
            "date": fhir_instant(last.signed_at),
            "author": [self.practitioner_ref(d.signatures[0].signer_id)],
            "description": d.sheet_title,
            "content": [{"attachment": {
                "contentType": "application/pdf",
                "data": base64.b64encode(pdf).decode("ascii"),
                "size": len(pdf),
                "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),
                "title": d.sheet_title,
                "creation": fhir_instant(last.signed_at)}}],
            "context": {"encounter": [{"reference": self.encounter_ref}]},
        }, full_url)
        return full_url

    def provenance(self, signature: SignatureFacts, targets: list[str]) -> None:
        full_url = self.ids.urn("signature", signature.id)
        who = self.practitioner_ref(signature.signer_id)
        tag = {"system": URI_SYSTEM, "code": full_url}
        self.add({
            "resourceType": "Provenance",
            "meta": {"tag": [tag]},
            "target": [{"reference": t} for t in targets],
            "recorded": fhir_instant(signature.signed_at),
            "activity": {"text": signature.meaning},
            "agent": [{"type": {"coding": [self.codes.agent_type.coding()]}, "who": who}],
            "signature": [{
                "type": [self.codes.signature_type.coding()],
                "when": fhir_instant(signature.signed_at), "who": who,
                "sigFormat": "text/plain",
                # What the app signs: the SHA-256 of the record the signer saw (hex text).
                "data": base64.b64encode(
                    f"SHA-256:{signature.content_hash}".encode("ascii")).decode("ascii"),
            }],
        }, full_url, "_tag=" + search_token(URI_SYSTEM, full_url))

    def bundle(self) -> Resource:
        d = self.data
        self.patient()
        self.practitioners()
        self.encounter()
        context = {"patient": self.patient_ref, "encounter": self.encounter_ref}
        observation_urls = []
        for resource, full_url in observation_resources(
                d.episode, d.observations, self.codes, self.ids.urn, context,
                self.practitioner_ref):
            self.add_keyed(resource, full_url)
            observation_urls.append(full_url)
        dose_url = self.medication_administration()
        document_url = self.document()
        for signature in d.signatures:
            targets = [document_url]
            if signature.kind == "discharge":
                targets = [self.encounter_ref, *observation_urls, dose_url, document_url]
            self.provenance(signature, targets)
        last = d.signatures[-1]
        return {
            "resourceType": "Bundle",
            "identifier": {"system": URI_SYSTEM,
                           "value": self.ids.urn("bundle", d.episode.number, last.id)},
            "type": "transaction",
            "timestamp": fhir_instant(d.generated_at),
            "entry": self.entries,
        }


def episode_bundle(data: EpisodeExport, codes: FhirCodes) -> Resource:
    """The transaction Bundle of a signed episode (needs at least one signature)."""
    if not data.signatures:
        raise ValueError("only a signed episode can be exported")
    return _BundleBuilder(data, codes).bundle()
