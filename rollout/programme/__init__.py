"""The programme: its five phases, milestones and KPIs, the roadmap, the cockpit, the report."""
