"""Pure election logic: plain values in, plain values out; no database, no web, no files.

Nothing here imports from the rest of saylau, so every rule can be tested with literals.
"""
