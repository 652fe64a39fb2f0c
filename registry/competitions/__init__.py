"""Competitions: the list, a competition's page, and what it offers."""
