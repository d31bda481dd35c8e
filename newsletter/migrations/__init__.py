"""Schema of the newsletter."""
