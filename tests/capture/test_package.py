"""The engine's shape: small modules, and no import back into the package's own front door.

import-linter checks that the modules do not import each other in a cycle; it does not see a
cycle through `capture/__init__.py`, which imports the engine, so that one is checked here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

import capture

MAX_MODULES = 15
MAX_LINES = 400


def test_no_engine_module_imports_the_package_front_door():
    graph = grimp.build_graph("capture")
    inward = [m for m in graph.modules if m != "capture" and "capture" in graph.find_modules_directly_imported_by(m)]
    assert inward == []


def test_engine_stays_small():
    modules = sorted(Path(capture.__file__).parent.glob("*.py"))
    assert len(modules) <= MAX_MODULES, [m.name for m in modules]
    long = {m.name: n for m in modules if (n := len(m.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_address_policy_loads_without_the_browser_side():
    """Web processes apply `netguard` when a link is saved; that must not load Selenium or lxml."""
    probe = "import sys, capture.netguard; print(sorted(m for m in ('selenium', 'lxml', 'PIL') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "[]"
