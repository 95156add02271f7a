"""The post-infusion monitor.

sqlite-utils imports numpy (and pandas) at import time when they are installed, only
to map their scalar types to column types. The monitor never stores numpy values, and
numpy costs ~0.3 s of every cold start, so it is hidden while sqlite-utils loads;
pyqtgraph still imports it normally later, when a chart is first shown.
"""

import sys

_hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _hidden:
    sys.modules[_name] = None  # type: ignore[assignment]  # makes the import fail fast
try:
    import sqlite_utils  # noqa: F401
finally:
    for _name in _hidden:
        del sys.modules[_name]
