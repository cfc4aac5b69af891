"""Configuration loaders from before ``netra_backend.app.config`` existed."""
