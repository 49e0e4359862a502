"""Readers, table shapes, name resolution and provenance: documents into graph records."""
