"""KPI tasks: the weekly measurement for the trend."""
