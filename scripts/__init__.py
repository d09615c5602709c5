"""Maintenance scripts (cassette recording), importable so tests replay with one adapter."""
