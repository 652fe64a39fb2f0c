"""Advancement of award holders into a later competition (``services.advancement``)."""
