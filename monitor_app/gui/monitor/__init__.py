"""Bedside monitors in the GUI: the feed from the listener's threads, the pending reading
in the entry form, and the monitor settings."""
