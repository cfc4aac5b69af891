"""Business services used by routes, websocket handlers and workers."""
