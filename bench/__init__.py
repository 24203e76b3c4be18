"""`make bench`: the performance budgets of docs/PERFORMANCE.md, each measured against its floor."""
