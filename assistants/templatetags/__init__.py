"""Template tags of the assistants' pages."""
