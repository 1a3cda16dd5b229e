"""cxsync.roles."""
