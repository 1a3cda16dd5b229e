"""Test helpers shipped with cxsync: the adapter contract suite (a pytest plugin).

from cxsync.testing.contract import AdapterContractSuite
from cxsync.testing.harness import ContractHarness
"""
