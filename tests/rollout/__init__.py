"""Tests of the rollout programme's features."""
