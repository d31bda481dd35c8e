"""Anonymous pulse surveys (k-anonymous results, sealing) and the anonymous feedback box."""
