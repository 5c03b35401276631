"""The console's panels. Each is a ``Panel``: it declares its id, title and default area,
takes its data source (a ``LiveView``) in its constructor, repaints in ``refresh()`` and
saves and restores its own state."""
