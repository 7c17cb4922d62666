"""Screens of infusions: ``homes`` (physician and nurse), ``orders`` (the dose panel and the
signing queue), ``druglog``, ``chair`` (check-in to discharge)."""
