"""Shared Jinja2 report templates (installed as package data)."""
