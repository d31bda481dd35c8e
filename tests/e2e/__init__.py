"""Browser journeys in the system Chromium (Playwright), with axe-core."""
