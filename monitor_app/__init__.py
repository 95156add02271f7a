"""The post-infusion monitor.

sqlite-utils imports numpy (and pandas) at import time when they are installed, only
to map their scalar types to column types. The monitor never stores numpy values, and
numpy costs ~0.3 s of every cold start, so it is hidden while sqlite-utils loads;
pyqtgraph still imports it normally later, when a chart is first shown.

sqlite-utils also imports dateutil's parser (with its time zones and ctypes) for its
``parsedate`` recipes, which the monitor never calls: about a third of sqlite-utils'
import time. It is registered as a lazy module, loaded in full on first attribute use.
"""

import gc
import importlib.util
import sys


def _register_lazy(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    # ``from package import name`` then finds it without the import machinery, which
    # would read the module's __spec__ and so load it at once.
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)


_register_lazy("dateutil.parser")
_hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _hidden:
    sys.modules[_name] = None  # type: ignore[assignment]  # makes the import fail fast
_collecting = gc.isenabled()
gc.disable()  # nothing to collect while a module loads (see gc_pause.py)
try:
    import sqlite_utils  # noqa: F401
finally:
    for _name in _hidden:
        del sys.modules[_name]
    if _collecting:
        gc.enable()
