"""Template tags of the site shell (navigation, forms, formatting)."""
