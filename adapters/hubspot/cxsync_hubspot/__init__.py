"""cxsync adapter for HubSpot."""
