"""Who carries the programme: multipliers, stakeholder groups, steering and ethics boards."""
