"""cxsync.feedback."""
