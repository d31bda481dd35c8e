"""Schema of the base: users, departments, roles, the audit log."""
