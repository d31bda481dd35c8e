"""Open office hours: hosts publish slots, employees book them, reminders and calendar entries."""
