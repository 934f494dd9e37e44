"""saylau: an election's data end to end, every number open to verification."""

__version__ = "0.1.0"
