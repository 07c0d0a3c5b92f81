"""Check: typed columns, constraints and rules on whole columns; valid rows and quarantine."""
