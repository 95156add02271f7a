"""The three documents made from one signed record."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum


class DocumentCopy(StrEnum):
    CHART = "chart"  # the full record, for the chart and an auditor
    PATIENT = "patient"  # one page, large type, in the patient's hands
    REMS = "rems"  # the SPRAVATO REMS Patient Monitoring Form (REMS protocols only)


COPY_TITLES: dict[DocumentCopy, str] = {
    DocumentCopy.CHART: "Chart copy",
    DocumentCopy.PATIENT: "Patient copy",
    DocumentCopy.REMS: "REMS Patient Monitoring Form",
}

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français",
                                  "pt": "Português", "zh": "中文", "vi": "Tiếng Việt"}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def archive_suffix(copy: DocumentCopy, version: int) -> str:
    """The end of an archived file's name: the chart copy keeps the name the archive has
    always used (``DATE_MRN_EPISODE.pdf``); version N is the one made at addendum N."""
    name = "" if copy == DocumentCopy.CHART else f"_{copy.value}"
    if version:
        name += f"_addendum-{version}"
    return name + ".pdf"


def save_file_name(mrn: str, day: date, copy: DocumentCopy, *, draft: bool = False) -> str:
    """What Save PDF suggests: ``MRN_DATE_COPY.pdf`` (``_DRAFT`` before signing), with
    anything a file name cannot hold in the MRN replaced by ``_``."""
    safe_mrn = re.sub(r"[^A-Za-z0-9_-]+", "_", mrn)
    return f"{safe_mrn}_{day.isoformat()}_{copy.value}{'_DRAFT' if draft else ''}.pdf"
