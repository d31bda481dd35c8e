"""The FAQ contact point: entries in categories, the question inbox, FAQ search."""
