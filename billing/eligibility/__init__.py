"""Electronic eligibility (X12 270 out, 271 back) behind a small backend interface, like
scheduling.messaging's SMS backends: ``x12`` writes and reads the transactions, ``backends``
holds the file backend (dev and tests: no network) and the clearinghouse one, picked by
settings.ELIGIBILITY_BACKEND."""
