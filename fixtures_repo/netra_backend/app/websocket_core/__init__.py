"""Websocket connections, message handlers and the bridge to agent engines."""
