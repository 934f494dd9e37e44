"""The voter register and election-day check-in: who may vote where, and that nobody votes twice."""
