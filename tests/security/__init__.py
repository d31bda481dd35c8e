"""Access matrix, fuzzing, headers, XSS and privacy checks."""
