"""Writes of the newsletter: issues, subscriptions, sending."""
