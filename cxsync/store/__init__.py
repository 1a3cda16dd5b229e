"""cxsync.store."""
