"""The demo company's programme: seeders for every feature, run by seed_demo."""
