"""The REMS form of a protocol that needs one: what the record already holds, and the
nurse's answers to the rest."""

from __future__ import annotations

import re
from datetime import date

from monitor_app.domain.models import ValidationError
from monitor_app.domain.rems_checks import contradiction
from monitor_app.domain.text import clean_text, text_limit
from monitor_app.services.context import ServiceContext
from monitor_app.services.episodes import EpisodeUseCases
from monitor_app.services.views import EpisodeView, RemsItem
from monitor_app.storage import repository as repo


class RemsUseCases:
    def __init__(self, ctx: ServiceContext, episodes: EpisodeUseCases) -> None:
        self.ctx = ctx
        self.episodes = episodes

    def answer_rems(self, actor_id: int, episode_id: int, key: str,
                    value: str) -> None:
        self.ctx.active_actor(actor_id)
        episode = self.episodes.writable(episode_id)
        protocol = self.ctx.protocol_of(episode)
        field = next((f for f in protocol.rems_form if f.key == key), None)
        if field is None:
            raise ValidationError(key, "not a REMS form field of this protocol")
        value = clean_text(value, key, field.label, required=False, size=text_limit("rems_answer"),
                             multiline=True)
        if field.type == "yes_no" and value not in ("", "yes", "no"):
            raise ValidationError(key, f"{field.label}: answer yes or no")
        if field.type == "integer" and value and not (value.isascii() and value.isdigit()
                                                      and int(value) <= 10000):
            raise ValidationError(key, f"{field.label}: a whole number of minutes")
        refused = contradiction(field, value, protocol,
                                repo.list_observations(self.ctx.db, episode_id),
                                self.ctx.local_zone())
        if refused:
            raise ValidationError(key, refused)
        if key == "lot_number":
            repo.set_episode_fields(self.ctx.db, episode_id, lot_number=value,
                                    actor_id=actor_id, at=self.ctx.clock.now())
            return
        repo.save_rems_answer(self.ctx.db, episode_id, key, value, actor_id=actor_id,
                              at=self.ctx.clock.now())

    def rems_items(self, view: EpisodeView) -> tuple[RemsItem, ...]:
        if not view.protocol.rems:
            return ()
        answers = repo.current_rems_answers(self.ctx.db, view.episode.id)
        earlier, earlier_on = self._previous_rems_answers(view)
        items = []
        for field in view.protocol.rems_form:
            known = self.source_value(view, field.source) if field.source else ""
            if known:
                items.append(RemsItem(field, known, True))
            else:
                offered = str(earlier.get(field.key, "") or "") if field.offer_previous else ""
                items.append(RemsItem(field, str(answers.get(field.key, "") or ""), False,
                                      offered, earlier_on if offered else None))
        return tuple(items)

    def _previous_rems_answers(self, view: EpisodeView) -> tuple[dict[str, object], date | None]:
        """The REMS answers of the patient's latest earlier session on this protocol, and
        the day of that session (station time)."""
        if not any(f.offer_previous for f in view.protocol.rems_form):
            return {}, None
        for episode in repo.list_episodes(self.ctx.db, limit=20,
                                          patient_id=view.episode.patient_id):
            if episode.id != view.episode.id and episode.protocol_id == view.protocol.id \
                    and episode.id < view.episode.id:  # opened before this one
                answers = repo.current_rems_answers(self.ctx.db, episode.id)
                if answers:
                    began = episode.dosing_start or episode.created_at
                    return answers, began.astimezone(self.ctx.local_zone()).date()
        return {}, None

    def source_value(self, view: EpisodeView, source: str) -> str:
        """The value of a REMS form field the record already holds ("" when it does not)."""
        e, p = view.episode, view.patient
        observations = [r.observation for r in view.current_rows]
        if source == "patient.name":
            return p.name
        if source == "patient.dob":
            return p.dob.isoformat()
        if source == "patient.sex":
            return {"F": "Female", "M": "Male", "X": "Other"}.get(p.sex, "")
        if source.startswith("precheck."):
            value = e.precheck.get(source.removeprefix("precheck."))
            return "" if value is None else ("yes" if value else "no")
        if source == "clinic.name":
            return self.ctx.settings().clinic_name
        if source in ("clinic.phone", "clinic.address", "clinic.provider_email"):
            return str(getattr(self.ctx.settings(), source.removeprefix("clinic.")))
        if source == "signer.name":
            signature = next((s for s in view.signatures if s.kind == "discharge"), None)
            return f"{signature.signer_name}, {signature.signer_credentials}" if signature else ""
        if source == "episode.date":
            day = (e.dosing_start or e.created_at).astimezone(self.ctx.local_zone()).date()
            return day.isoformat()
        if source == "episode.dose":
            return f"{e.dose_mg:g} mg"
        if source == "episode.dose_choice":  # the form's boxes: 56 mg, 84 mg or Other
            dose = f"{e.dose_mg:g} mg"
            return dose if e.dose_mg in (56, 84) else f"Other: {dose}"
        if source == "episode.lot_number":
            return e.lot_number
        if source == "episode.monitoring_minutes":
            if e.dosing_start is None:
                return ""
            end = e.closed_at or self.ctx.clock.now()
            return str(int((end - e.dosing_start).total_seconds() // 60))
        if source == "bp.baseline":
            return view.baseline.vitals.bp_text if view.baseline else ""
        match = re.fullmatch(r"bp\.timepoint_(\d+)", source)
        if match and e.dosing_start is not None:
            slot = next((s for s in view.status.slots if s.kind == "timepoint"
                         and int((s.due - e.dosing_start).total_seconds() // 60)
                         == int(match.group(1)) and s.taken_at is not None), None)
            if slot is not None:
                obs = next((o for o in observations if o.taken_at == slot.taken_at), None)
                return obs.vitals.bp_text if obs else ""
            return ""
        if source == "bp.latest":
            with_bp = [o for o in observations if o.vitals.bp_text]
            return with_bp[-1].vitals.bp_text if with_bp else ""
        return ""
