"""Facet extraction from the section texts: plain Python, no Dagster."""

from pipelines.facets.build import paper_facet_rows

__all__ = ["paper_facet_rows"]
