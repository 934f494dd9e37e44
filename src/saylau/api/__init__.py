"""The HTTP API (`/api/v1`): public reads, token-scoped writes, one router per context."""
