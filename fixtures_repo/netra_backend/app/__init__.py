"""Application package: agents, services, routes and websocket handling."""
