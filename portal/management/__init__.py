"""Management commands of the base (see commands/)."""
