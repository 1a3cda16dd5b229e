"""The shared adapter contract, run against the HubSpot emulator on loopback."""

from cxsync.testing.contract import AdapterContractSuite


class TestHubSpotContract(AdapterContractSuite):
    pass
