"""partnergraph's graph model, store protocol and store backends."""
