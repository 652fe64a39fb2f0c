"""Marking and results: experts, schemes, score sheets, standings, publication."""
