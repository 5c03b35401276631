"""The wall: its scale, screens, the stale banner and kiosk rotation."""
