"""Per-station results of any election, imported from a file, for the integrity analytics.

The integrity tests (`saylau.domain.integrity`) need one thing: every polling station's figures.
Most commissions publish them as a spreadsheet or a scraped CSV in a layout of their own, so
saylau reads such a file through a YAML mapping that names its columns (`mapping.py`), checks
every row in bulk (`importer.py`), stores the accepted stations whole or not at all with an audit
event (`stations.py`), and hands them back as a `StationTable`.
"""
