"""Append-only, hash-chained log of every accepted protocol, amendment and decision."""
