"""Analyse: the sections of a report, built from valid rows through the tabulation API."""
