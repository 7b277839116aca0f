"""reserve_app: self-service booking and ordering for small businesses."""
