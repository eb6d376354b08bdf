"""The questions users ask, as functions over the store that return typed answers."""
