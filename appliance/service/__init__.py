"""Running Wardline as a systemd service: readiness and watchdog notifications, structured
journal events, signal handling around the serve loop, and the install-time checks (`doctor`)."""
