"""cxsync adapter for Salesforce."""
