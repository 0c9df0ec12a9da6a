"""Pieces every resource of the API shares: the base view, pagination, strict fields,
filter sets and the documented error answers."""
