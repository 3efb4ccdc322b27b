"""kg: Chinese health news and reports in, a queryable knowledge graph out.

The stages live in :mod:`kg.build`; ``kg.build(["seeds"], "output")`` runs them all.
"""

__version__ = "0.1.0"


def build(*args, **kwargs):
    """Run the whole pipeline; see :func:`kg.build.build` (imported lazily: spaCy is heavy)."""
    from kg.build import build as _build

    return _build(*args, **kwargs)
