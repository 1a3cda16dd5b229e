"""The shared adapter contract, run against the Salesforce emulator."""

from cxsync.testing.contract import AdapterContractSuite


class TestSalesforceContract(AdapterContractSuite):
    pass
