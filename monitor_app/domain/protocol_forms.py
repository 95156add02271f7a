"""The parts of a protocol file a document prints: the REMS form's questions and the
patient's instructions in each language."""

from __future__ import annotations

from dataclasses import dataclass

from monitor_app.domain.protocol_reader import _Reader

# What the record can say against a REMS answer of "no" (see domain/rems_checks.py).
REMS_CHECKS = ("sedation", "dissociation", "respiratory_depression")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class RemsField:
    """One question of a protocol's REMS form."""

    key: str
    label: str
    type: str = "text"  # "text", "yes_no", "integer"
    source: str = ""  # where the record already holds the answer, "" = ask
    required: bool = False
    choices: tuple[str, ...] = ()  # printed as boxes on the form, e.g. 56 mg / 84 mg / Other
    check: str = ""  # one of REMS_CHECKS: a "no" the observations contradict is refused
    section: str = ""  # the form's section this field opens ("" = same as before)
    offer_previous: bool = False  # show the patient's last answer (concomitant medicines)


@dataclass(frozen=True)
class Instructions:
    """The patient's instructions in one language."""

    title: str
    lines: tuple[str, ...]


def _rems_form(readers: list[_Reader]) -> tuple[RemsField, ...]:
    fields = []
    seen: set[str] = set()
    for r in readers:
        r.unknown({"key", "label", "type", "source", "required", "choices", "check",
                   "section", "offer_previous"})
        kind = r.get("type", str, "text")
        if kind not in ("text", "yes_no", "integer"):
            raise r.error("type", "must be \"text\", \"yes_no\" or \"integer\"")
        key = r.get("key", str)
        if key in seen:
            raise r.error("key", f"\"{key}\" is used twice")
        seen.add(key)
        choices = r.get("choices", list, [])
        if not all(isinstance(c, str) and c.strip() for c in choices):
            raise r.error("choices", "expected a list of text labels")
        check = r.get("check", str, "")
        if check and check not in REMS_CHECKS:
            raise r.error("check", f"must be one of {', '.join(REMS_CHECKS)}")
        if check and kind != "yes_no":
            raise r.error("check", "only a yes_no question can be checked against the record")
        fields.append(RemsField(key=key, label=r.get("label", str), type=kind,
                                source=r.get("source", str, ""),
                                required=r.get("required", bool, False),
                                choices=tuple(choices), check=check,
                                section=r.get("section", str, ""),
                                offer_previous=r.get("offer_previous", bool, False)))
    return tuple(fields)


def _instructions(reader: _Reader) -> tuple[str, Instructions, dict[str, Instructions]]:
    """[instructions] (the default language) and its [instructions.<code>] translations."""
    default = reader.get("language", str, DEFAULT_LANGUAGE)
    main = _instruction_text(reader)
    translations: dict[str, Instructions] = {}
    for name, table in reader.data.items():
        if name in ("title", "lines", "language"):
            continue
        if not isinstance(table, dict):
            raise reader.error(name, "unknown key (expected title, lines, language, or a "
                               "table [instructions.<language>] such as [instructions.es])")
        if not (name.isascii() and name.isalpha() and name.islower() and 2 <= len(name) <= 3):
            raise reader.error(name, "a language is a 2- or 3-letter lower-case code, e.g. es")
        if name == default:
            raise reader.error(name, f"\"{name}\" is already the default language")
        translation = reader.table(name)
        translation.unknown({"title", "lines"})
        translations[name] = _instruction_text(translation)
        if len(translations[name].lines) != len(main.lines):
            raise translation.error("lines", f"has {len(translations[name].lines)} lines; the "
                                    f"default language has {len(main.lines)} (translate "
                                    "every line)")
    return default, main, translations


def _instruction_text(reader: _Reader) -> Instructions:
    lines = reader.get("lines", list)
    if not lines or not all(isinstance(line, str) and line.strip() for line in lines):
        raise reader.error("lines", "expected a non-empty list of text lines")
    return Instructions(reader.get("title", str), tuple(lines))
