"""Helpers the features share: SVG charts, German-Excel CSV, the reminder loop."""
