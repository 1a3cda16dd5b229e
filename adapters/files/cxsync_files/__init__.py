"""The files adapter: accounts, contacts and feedback as CSV/JSONL files in a folder."""
