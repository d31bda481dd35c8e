"""Event tasks: reminders and series generation."""
