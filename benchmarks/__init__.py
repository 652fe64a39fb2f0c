"""Benchmarks of the registry at national-season scale: ``make bench`` (not part of the tests)."""
