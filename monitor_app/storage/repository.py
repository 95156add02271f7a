"""The storage API: every read and write of clinic data goes through these functions.

The only place with SQL and table names (split by subject into ``repository_*.py``;
``audit`` owns the audit table and ``migrations`` the schema). Import this module,
not the parts::

    from monitor_app.storage import repository as repo
    patient = repo.add_patient(db, "12345", "Ada Lovelace", date(1990, 1, 2),
                               actor_id=nurse.id, at=clock.now())

Conventions:

- every write takes ``actor_id`` and ``at`` (an aware datetime: time is injected)
  and is one transaction holding the change and its audit event(s); group several
  calls into one action with ``with repo.transaction(db): ...``;
- times are stored as UTC ISO 8601 text with offset and come back as aware UTC
  datetimes;
- user-caused problems raise ``ValidationError(field, message)``; a change the
  database refuses (signed episode, in-place edit) raises ``ChangeRefused``; a locked,
  full or read-only database raises ``StorageError`` / ``DatabaseBusy``; an unknown
  id raises ``NotFound``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from monitor_app.storage.db import ChangeRefused, DatabaseBusy, StorageError
from monitor_app.storage.repository_base import (
    UNSET,
    NotFound,
    change_mark,
    latest_event_time,
    transaction,
)
from monitor_app.storage.repository_episodes import (
    ACTIVE_PHASES,
    create_episode,
    get_episode,
    get_episode_by_number,
    list_active_episodes,
    list_episodes,
    set_episode_fields,
    update_episode_phase,
)
from monitor_app.storage.repository_history import (
    CLOSED_PHASES,
    RemsSubmission,
    acks_for_episodes,
    add_rems_submission,
    closed_episodes,
    current_submission,
    discharge_times,
    episodes_between,
    episodes_closed_since,
    overrides_for_episodes,
    rems_submissions,
    sessions_filed_since,
    signed_sessions,
    unfiled_sessions,
)
from monitor_app.storage.repository_observations import (
    ack_alert,
    add_observation,
    alert_acks,
    alert_acks_for_episodes,
    correct_observation,
    get_observation,
    latest_observations,
    list_alert_acks,
    list_observations,
    observations_for_episodes,
    void_observation,
)
from monitor_app.storage.repository_people import (
    DEFAULT_LOCK_AFTER,
    add_patient,
    add_staff,
    find_patients,
    get_patient,
    get_patient_by_mrn,
    get_patients,
    get_pin_hash,
    get_staff,
    list_staff,
    mrn_taken,
    record_pin_failure,
    record_pin_success,
    registered_as,
    search_key,
    set_pin_hash,
    unlock_staff,
    unlock_staff_locally,
    update_staff,
)
from monitor_app.storage.repository_settings import (
    all_settings,
    get_setting,
    set_setting,
    set_settings,
)

# Loaded on first use of one of their names (``__getattr__`` below), so that a start to
# the board does not pay for them: an episode's entry and corrections, the discharge
# answers and overrides, what was done about alerts, signatures, the episode's state.
if TYPE_CHECKING:
    from monitor_app.storage.repository_entry import (
        correct_episode_value,
        create_patient_and_episode,
        list_episode_corrections,
    )
    from monitor_app.storage.repository_records import (
        ChecklistAnswer,
        OverrideRecord,
        RemsAnswer,
        add_override,
        checklist_history,
        current_checklist,
        current_overrides,
        current_rems_answers,
        list_overrides,
        rems_history,
        save_checklist_answer,
        save_rems_answer,
        void_override,
    )
    from monitor_app.storage.repository_responses import acknowledge_alerts, alert_responses
    from monitor_app.storage.repository_signatures import (
        Addendum,
        Signature,
        SignatureKind,
        add_addendum,
        add_signature,
        is_signed,
        list_addenda,
        list_signatures,
        sign_addendum,
        sign_discharge,
        signed_addenda_counts,
        signed_episodes,
    )
    from monitor_app.storage.repository_state import EpisodeState, episode_state

_PARTS_ON_FIRST_USE = {
    "repository_entry": "correct_episode_value create_patient_and_episode "
                        "list_episode_corrections",
    "repository_records": "ChecklistAnswer OverrideRecord RemsAnswer add_override "
                          "checklist_history current_checklist current_overrides "
                          "current_rems_answers list_overrides rems_history "
                          "save_checklist_answer save_rems_answer void_override",
    "repository_responses": "acknowledge_alerts alert_responses",
    "repository_signatures": "Addendum Signature SignatureKind add_addendum add_signature "
                             "is_signed list_addenda list_signatures sign_addendum "
                             "sign_discharge signed_addenda_counts signed_episodes",
    "repository_state": "EpisodeState episode_state",
}
_PART_OF = {name: part for part, names in _PARTS_ON_FIRST_USE.items()
            for name in names.split()}

if not TYPE_CHECKING:  # mypy reads the imports above

    def __getattr__(name: str) -> object:
        part = _PART_OF.get(name)
        if part is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"monitor_app.storage.{part}"), name)
        globals()[name] = value  # the next use is a plain attribute
        return value


__all__ = [
    "ACTIVE_PHASES",
    "CLOSED_PHASES",
    "DEFAULT_LOCK_AFTER",
    "UNSET",
    "Addendum",
    "ChangeRefused",
    "ChecklistAnswer",
    "DatabaseBusy",
    "EpisodeState",
    "NotFound",
    "OverrideRecord",
    "RemsAnswer",
    "RemsSubmission",
    "Signature",
    "SignatureKind",
    "StorageError",
    "ack_alert",
    "acknowledge_alerts",
    "acks_for_episodes",
    "add_addendum",
    "add_observation",
    "add_override",
    "add_patient",
    "add_rems_submission",
    "add_signature",
    "add_staff",
    "alert_acks",
    "alert_acks_for_episodes",
    "alert_responses",
    "all_settings",
    "change_mark",
    "checklist_history",
    "closed_episodes",
    "correct_episode_value",
    "correct_observation",
    "create_episode",
    "create_patient_and_episode",
    "current_checklist",
    "current_overrides",
    "current_rems_answers",
    "current_submission",
    "discharge_times",
    "episode_state",
    "episodes_between",
    "episodes_closed_since",
    "find_patients",
    "get_episode",
    "get_episode_by_number",
    "get_observation",
    "get_patient",
    "get_patient_by_mrn",
    "get_patients",
    "get_pin_hash",
    "get_setting",
    "get_staff",
    "is_signed",
    "latest_event_time",
    "latest_observations",
    "list_active_episodes",
    "list_addenda",
    "list_alert_acks",
    "list_episode_corrections",
    "list_episodes",
    "list_observations",
    "list_overrides",
    "list_signatures",
    "list_staff",
    "mrn_taken",
    "observations_for_episodes",
    "overrides_for_episodes",
    "record_pin_failure",
    "record_pin_success",
    "registered_as",
    "rems_history",
    "rems_submissions",
    "save_checklist_answer",
    "save_rems_answer",
    "search_key",
    "sessions_filed_since",
    "set_episode_fields",
    "set_pin_hash",
    "set_setting",
    "set_settings",
    "sign_addendum",
    "sign_discharge",
    "signed_addenda_counts",
    "signed_episodes",
    "signed_sessions",
    "transaction",
    "unfiled_sessions",
    "unlock_staff",
    "unlock_staff_locally",
    "update_episode_phase",
    "update_staff",
    "void_observation",
    "void_override",
]
