"""asyncio edges: the websocket feed client, the feed server and the headless recorder."""
