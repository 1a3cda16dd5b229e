"""pytest plugin entry point for the adapter contract suite."""
