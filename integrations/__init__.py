"""Integrations: other systems (billing, EHR, referral partners, messaging) calling the API.

- ``models``: API keys (one per integration), their call log, idempotency records;
- ``scopes``: the resource groups of the API and which URL belongs to which;
- ``services``: create and revoke keys (the service user each key acts as);
- ``authentication``, ``permissions``, ``throttling``: the DRF side of a key;
- ``idempotency``: the ``Idempotency-Key`` middleware for POSTs;
- ``schema``: what drf-spectacular says about keys and idempotency.
"""
