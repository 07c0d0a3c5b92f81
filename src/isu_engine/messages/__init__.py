"""Message catalogues (sv, en)."""
