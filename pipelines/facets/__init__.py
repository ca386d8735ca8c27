"""Facet extraction from the section texts: plain Python, no Dagster."""

from pipelines.facets.build import facet_tables

__all__ = ["facet_tables"]
