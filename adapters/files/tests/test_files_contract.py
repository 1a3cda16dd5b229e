"""The files adapter passes the shipped adapter contract suite."""

from cxsync.testing.contract import AdapterContractSuite


class TestFilesContract(AdapterContractSuite):
    pass
