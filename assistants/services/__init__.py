"""Writes of the assistants: jobs, protocols, review, reports, action items, retention."""
