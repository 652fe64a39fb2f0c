"""Registration: organisations, persons, entries and teams, the participants list."""
