"""Billing's reads: ``coverage`` (a patient's coverages, choice, checks, and the checks due
before new courses), ``work`` (the desk home's counts)."""
