"""Search tasks: embeddings of use cases (and FAQ entries), computed after commit."""
