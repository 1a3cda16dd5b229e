"""cxsync.hygiene."""
