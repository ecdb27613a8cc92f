"""Debts on co-pay invoices: the contract's consequence while an invoice is overdue, reminders
before and after the due date, and the monthly report to the contract's administrators."""
