"""Accounts: sign in, users and roles, a user's time zone, API tokens and API clients."""
