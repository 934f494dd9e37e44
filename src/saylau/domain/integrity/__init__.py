"""Integrity tests on per-station results: pure NumPy/SciPy over a `StationTable`.

Once results are public per polling station, anyone can test them for the traces that ballot
stuffing and protocol rewriting leave. Every test here returns its figure with an honest null
distribution, p-value or interval, never a bare score, and never touches a database or a file.
"""
