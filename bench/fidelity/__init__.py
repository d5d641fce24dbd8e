"""Helpers of bench/bench_fidelity.py: the metric, the two renderers, the site serving copies, SingleFile."""
