"""GUI-free, I/O-free domain core: model, topology, clock. Imports no Qt, asyncio or sockets."""
