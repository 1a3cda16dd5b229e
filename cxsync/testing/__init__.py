"""Test helpers shipped with cxsync: the adapter contract suite (a pytest plugin)."""
