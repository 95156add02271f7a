"""History: past episodes (search, open read-only, reprint, addendum) and the REMS
filing queue."""
