"""datasets without `load_dataset`."""
