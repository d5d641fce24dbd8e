"""The capture engine behind one call: `capture.engine.capture(url, config) -> CaptureResult`.

Tasks, tests and benchmarks call it. The engine imports neither Django nor the app: it is handed
a `results.CaptureConfig` and returns bytes, facts and reason codes (`reasons`); the caller
decides what to keep and words the reasons in its reader's language.

This module imports nothing, so that `capture.netguard` (the address policy, which the app also
applies when a link is saved) can be imported without loading the browser side of the engine.
"""
