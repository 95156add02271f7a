"""House rules the code keeps: every file small enough to read in one sitting."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400
# A test module may be longer: it is a flat list of independent cases about one subject,
# read one case at a time, with its data tables at the top; at 600 lines it still holds
# one subject, and cutting a subject's cases across files would scatter them.
MAX_TEST_LINES = 600


def line_counts(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
            for path in sorted(folder.rglob("*.py"))}


def largest(counts: dict[str, int], n: int = 5) -> str:
    return ", ".join(f"{path} {lines}"
                     for path, lines in sorted(counts.items(), key=lambda kv: -kv[1])[:n])


def test_no_module_of_the_app_is_over_400_lines():
    counts = line_counts(ROOT / "monitor_app")
    too_long = {path: lines for path, lines in counts.items() if lines > MAX_LINES}
    assert too_long == {}, (f"split these by subject (at most {MAX_LINES} lines); "
                            f"largest now: {largest(counts)}")


def test_no_test_module_is_over_600_lines():
    counts = line_counts(ROOT / "tests")
    too_long = {path: lines for path, lines in counts.items() if lines > MAX_TEST_LINES}
    assert too_long == {}, (f"split these by subject (at most {MAX_TEST_LINES} lines); "
                            f"largest now: {largest(counts)}")
