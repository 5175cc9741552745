"""The domain: pure Python rules of the lägesbild work (no Qt, no database)."""
