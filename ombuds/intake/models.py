"""Intake keeps no rows of its own: rate-limit counts live in ombuds.accounts.ratelimit."""
