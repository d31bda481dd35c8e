"""The rollout programme: one Django app, one folder per feature (see the README, Architecture)."""
