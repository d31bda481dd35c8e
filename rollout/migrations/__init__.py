"""Schema of the rollout app (one app label for every feature folder)."""
