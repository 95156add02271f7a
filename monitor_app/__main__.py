from monitor_app.cli import main

raise SystemExit(main())
