"""Costs and value: the implementation cost ledger and cost-benefit analysis (issue 6)."""
