"""Starting the console: the start dialog, the startup probe and feed problems in words."""
