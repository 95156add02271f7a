"""ORU^R01 messages as bedside monitors send them, for the monitor-feed tests."""

from __future__ import annotations

from collections.abc import Sequence

# (code, text, system, value, unit)
VITALS: tuple[tuple[str, str, str, str, str], ...] = (
    ("147842", "MDC_ECG_HEART_RATE", "MDC", "78", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    ("150021", "MDC_PRESS_BLD_NONINV_SYS", "MDC", "132", "266016^MDC_DIM_MMHG^MDC"),
    ("150022", "MDC_PRESS_BLD_NONINV_DIA", "MDC", "84", "266016^MDC_DIM_MMHG^MDC"),
    ("150456", "MDC_PULS_OXIM_SAT_O2", "MDC", "97", "262688^MDC_DIM_PERCENT^MDC"),
    ("151562", "MDC_RESP_RATE", "MDC", "15", "264928^MDC_DIM_RESP_PER_MIN^MDC"),
)


def oru(results: Sequence[tuple[str, str, str, str, str]] = VITALS, *, device: str = "MON-01",
        control_id: str = "MSG0001", bed: str = "", when: str = "20261127090500+0000",
        charset: str = "", equipment: str = "") -> str:
    """An ORU^R01 (segments ended by CR) with one OBX per result."""
    msh = ("MSH|^~\\&|GATEWAY|" + device + "|MONITOR_APP|CLINIC|" + when + "||ORU^R01^ORU_R01|"
           + control_id + "|P|2.6|||AL|NE||" + charset)
    lines = [msh, "PID|||MRN-0000||Doe^Jane", f"PV1||O|{bed}", "OBR|1|||182777000^monitoring "
             "of patient^SCT|||" + when]
    for i, (code, text, system, value, unit) in enumerate(results, start=1):
        lines.append(f"OBX|{i}|NM|{code}^{text}^{system}|1.1.1.{i}|{value}|{unit}|||||F|||"
                     f"{when}||||{equipment}")
    return "\r".join(lines) + "\r"
