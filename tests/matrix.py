"""Shorthands for rows of the role × URL matrix (tests/portal/test_access.py)."""

from __future__ import annotations

LOGIN = "login"
CAST = ["alice", "bob", "rita", "ada", "walter", "charlie"]
EVERYONE = dict.fromkeys(CAST, 200)
ADMIN_ONLY = {**dict.fromkeys(CAST, 403), "ada": 200}
OVERSIGHT = {**dict.fromkeys(CAST, 403), "ada": 200, "walter": 200}
# alice's protocol: she, reviewers and admins read it; everyone else must not learn it exists.
ALICES_OWN = {**dict.fromkeys(CAST, 404), "alice": 200, "rita": 200, "ada": 200}
