"""Helpers the features share: SVG charts, German-Excel CSV, reminders, file downloads."""
