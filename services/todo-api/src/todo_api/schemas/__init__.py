"""Request and response models: what clients send and see, separate from the tables."""
