"""Tests of the newsletter: sending, claims, faults, the SMTP server on loopback."""
