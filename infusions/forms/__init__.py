"""HTML forms of infusions: ``orders`` (dose panel), ``druglog``, ``chair`` (check-in)."""
