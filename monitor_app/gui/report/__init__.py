"""The clinic manager's month at a glance."""
