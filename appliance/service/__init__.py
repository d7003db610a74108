"""Running Wardline as a systemd service: readiness and watchdog notifications, structured
journal events, signal handling around the serve loop, the shared engine process
(`engine_host`), and the install-time checks (`doctor`)."""
