"""Reads of infusions records (writes are in ``services``): each module's queries are
scoped to the user's sites and carry their joins, so no caller can forget them.

- ``protocols``: protocols and versions as the dose screens list them;
- ``orders``: dose orders, double-checks, the weights a dose may use;
- ``chart``: the infusion chart, vitals, alerts, the nurse's board, check-in comforts;
- ``timing``: run time, the time rules' refusals, early stops awaiting review;
- ``druglog``: lots and balances, log entries, reconciliations and inventories;
- ``homes``: the "work waiting" counts of every role's home.
"""
