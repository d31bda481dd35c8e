"""The test suite: real PostgreSQL, Redis, llama.cpp, SMTP and Chromium, all on loopback."""
