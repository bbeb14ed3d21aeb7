"""Helpers shared by tests: external programs they start, fixtures they import."""
