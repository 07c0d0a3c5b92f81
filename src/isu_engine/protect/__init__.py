"""Protect: disclosure control over everything a run publishes, and personal identity numbers."""
