"""Elections and their commissions: the CEC, territorial (TEC) and precinct (PEC) commissions."""
