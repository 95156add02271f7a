"""The three documents made from one signed record."""

from __future__ import annotations

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
