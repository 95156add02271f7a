"""The clinic's paper (from the station's locale until an administrator sets it) and the
folder Save PDF opens in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from monitor_app.domain.documents import DocumentCopy, save_file_name
from monitor_app.domain.models import ValidationError
from monitor_app.services.settings import locale_paper


@pytest.mark.parametrize(("environ", "paper"), [
    ({"LANG": "en_US.UTF-8"}, "Letter"),
    ({"LANG": "en_CA.UTF-8"}, "Letter"),
    ({"LANG": "en_GB.UTF-8"}, "A4"),
    ({"LANG": "de_DE@euro"}, "A4"),
    ({"LANG": "en_GB.UTF-8", "LC_PAPER": "en_US.UTF-8"}, "Letter"),  # LC_PAPER over LANG
    ({"LC_ALL": "fr_FR.UTF-8", "LC_PAPER": "en_US.UTF-8"}, "A4"),  # LC_ALL over both
    ({"LANG": "C.UTF-8"}, "Letter"),  # no country: the REMS program is American
    ({}, "Letter"),
])
def test_the_default_paper_follows_the_stations_locale(environ, paper):
    assert locale_paper(environ) == paper


def test_a_clinic_that_never_chose_a_paper_gets_its_locales(services, monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert services.settings().paper == "A4"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert services.settings().paper == "Letter"
    services.save_settings(1, replace(services.settings(), paper="A4"))
    assert services.settings().paper == "A4"  # chosen in Settings: the locale no longer counts


def test_the_documents_folder_is_a_full_path(services, tmp_path):
    with pytest.raises(ValidationError) as error:
        services.save_settings(1, replace(services.settings(), documents_dir="sheets"))
    assert error.value.field == "documents_dir"
    assert services.settings().documents_dir == ""
    services.save_settings(1, replace(services.settings(), documents_dir=str(tmp_path)))
    assert services.settings().documents_dir == str(tmp_path)


def test_save_pdf_names_say_whose_when_and_which_copy():
    day = date(2026, 11, 27)
    assert save_file_name("MRN-1", day, DocumentCopy.CHART) == "MRN-1_2026-11-27_chart.pdf"
    assert (save_file_name("A/B 7", day, DocumentCopy.PATIENT, draft=True)
            == "A_B_7_2026-11-27_patient_DRAFT.pdf")
