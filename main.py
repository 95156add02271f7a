"""Start the post-infusion monitor from a checkout: `python main.py [command]`."""

from monitor_app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
