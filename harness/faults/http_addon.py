"""The HTTP fault addon, as mitmproxy loads it: ``mitmdump -s harness/faults/http_addon.py``.

mitmproxy runs a script file without registering it as a module, which breaks
dataclasses defined in it; so the engine lives in ``http_engine.py`` and this
file only names the addon. Standalone use (``armed`` faults without a ``from``
step are installed; the scenario's seed is used)::

    mitmdump --mode reverse:http://127.0.0.1:8000 -s harness/faults/http_addon.py \\
        --set chaos_faults=scenarios/history/history-503.yaml
"""

from harness.faults.http_engine import ChaosHttpFaults, load_http_faults

__all__ = ["ChaosHttpFaults", "load_http_faults"]

addons = [ChaosHttpFaults()]
