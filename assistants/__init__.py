"""The AI layer: the local model, durable generation jobs, protocols, review and exports."""
