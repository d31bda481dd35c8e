"""runstack, seed_demo, demo_totp and the other commands of the base."""
