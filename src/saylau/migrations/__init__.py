"""Alembic migrations of the whole schema, and the list of every context's tables they follow.

This package sits above every context: `schema` imports each context's models so that Alembic
and the migration tests see the whole schema, and nothing in saylau imports it back.
"""
