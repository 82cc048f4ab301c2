"""Business rules. Services orchestrate repositories inside the caller's unit of work."""
