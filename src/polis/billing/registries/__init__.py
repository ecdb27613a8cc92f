"""Clinic invoice registries: import, line checks, co-pay accrual, and the pages that show them."""
