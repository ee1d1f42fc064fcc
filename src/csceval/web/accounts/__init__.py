"""Accounts: LA-scoped memberships (roles that expire), login, logout."""
