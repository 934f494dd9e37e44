"""PEC protocols, their control relations, amendments by decision, tabulation and outcome."""
