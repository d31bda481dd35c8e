"""Tests of the assistants: jobs, generation, review, exports, worker faults."""
