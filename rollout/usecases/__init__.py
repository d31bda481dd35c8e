"""The use-case library: intake with risk check, the review pipeline, community, impact."""
