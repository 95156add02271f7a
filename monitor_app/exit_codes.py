"""The exit statuses of ``monitor-app``, GUI and commands alike (scripts rely on them)."""

EXIT_OK = 0
EXIT_ALTERED = 1  # verify: the record was altered (or an anchor contradicts it)
EXIT_ERROR = 2  # the command could not be done; the message says why
EXIT_USAGE = 2  # argparse's own status for a malformed command line
