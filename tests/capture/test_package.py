"""The engine's front door stays empty, so the address policy can be used without the browser side.

`capture/__init__.py` imports nothing: no engine module imports it back, and importing
`capture.netguard` or `capture.reader.allowlist` (which web processes use) loads no browser machinery.
"""

from __future__ import annotations

import subprocess
import sys

import grimp
import pytest


def test_no_engine_module_imports_the_package_front_door():
    graph = grimp.build_graph("capture")
    inward = [m for m in graph.modules if m != "capture" and "capture" in graph.find_modules_directly_imported_by(m)]
    assert inward == []


@pytest.mark.parametrize("module", ["capture.netguard", "capture.reader.allowlist"])
def test_what_web_processes_import_from_the_engine_loads_without_the_browser_side(module):
    """Web processes apply `netguard` when a link is saved and the reader allow-list when a copy
    is read; neither may load Selenium, lxml or Pillow."""
    probe = f"import sys, {module}; print(sorted(m for m in ('selenium', 'lxml', 'PIL') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
