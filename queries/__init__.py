"""Named traversals: each Cypher text is a constant next to the function that runs it."""
