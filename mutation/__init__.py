"""Mutation testing of the function package with mutmut (`make mutation`, docs/TESTING.md)."""
