"""cxsync.health."""
