"""Tests of the GAS plugin."""
