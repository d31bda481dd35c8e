"""search_reindex and the programme's other commands."""
