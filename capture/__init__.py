"""The capture engine behind one call: `capture(url, config) -> CaptureResult`.

Tasks, tests and benchmarks all call this. The engine imports neither Django nor the app: it is
handed a CaptureConfig and returns bytes, facts and reason codes (capture.reasons); the caller
decides what to keep and words the reasons in its reader's language.
"""

from __future__ import annotations

from capture.engine import run_capture
from capture.reasons import Reason
from capture.results import Artifact, CaptureConfig, CaptureLimits, CaptureResult, TransientCaptureError


def capture(url: str, config: CaptureConfig) -> CaptureResult:
    """Capture `url`; raises TransientCaptureError only when the browser itself broke."""
    return run_capture(url, config)


__all__ = [
    "Artifact", "CaptureConfig", "CaptureLimits", "CaptureResult", "Reason", "TransientCaptureError", "capture",
]
