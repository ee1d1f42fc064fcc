"""Theory of change and implementation: the model, plans, self-profiles and the progress map."""
