"""Schema of the assistants: jobs, protocols, templates, versions, action items."""
