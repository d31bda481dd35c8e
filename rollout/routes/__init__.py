"""URL patterns of the rollout app, one module per sub-domain (joined in rollout/urls.py)."""
