"""Leadership analytics (Kerr review): the board posts ledger, the Kerr analysis by CQC rating,
and regional talent boards' supply and demand. Pure Python and Polars; never imports Django.

* :func:`board_metrics` - per organisation, executive vacancy, interim cover, recent
  appointments and chief-executive tenure at a date, from posts and holdings;
* :func:`post_status` - each post's status and current holder at a date;
* :func:`kerr_by_rating` - the metrics by CQC rating, disclosure-controlled, with intervals;
* :func:`posts_in_demand`, :func:`match_candidates` - the supply-and-demand matching rule;
* :func:`pipeline_diversity` - each organisation's pipeline against its target, suppressed;
* :mod:`~candour.analytics.leadership.synthetic`, :mod:`~candour.analytics.leadership.synthetic_talent`
  - the demo's synthetic ledger and pools.
"""

from candour.analytics.leadership.kerr import kerr_by_rating
from candour.analytics.leadership.ledger import board_metrics, metrics_from_status, post_status
from candour.analytics.leadership.talent import (
    match_candidates,
    pipeline_diversity,
    posts_in_demand,
)

__all__ = [
    "board_metrics",
    "kerr_by_rating",
    "match_candidates",
    "metrics_from_status",
    "pipeline_diversity",
    "post_status",
    "posts_in_demand",
]
