"""cxsync.engine."""
