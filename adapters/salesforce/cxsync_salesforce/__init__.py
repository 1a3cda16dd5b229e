"""cxsync adapter for Salesforce."""

from cxsync_salesforce.adapter import SalesforceAdapter, SalesforceAdapterFactory

__all__ = ["SalesforceAdapter", "SalesforceAdapterFactory"]
