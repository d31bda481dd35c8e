"""Management commands of the rollout programme (see commands/)."""
