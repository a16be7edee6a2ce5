"""Leadership analytics (Kerr review): the board posts ledger, the Kerr analysis by CQC rating,
and regional talent boards' supply and demand. Pure Python and Polars; never imports Django.

* :func:`board_metrics` - per organisation, executive vacancy, interim cover, recent
  appointments and chief-executive tenure at a date, from posts and holdings;
* :func:`post_status` - each post's status and current holder at a date;
* :func:`kerr_by_rating` - the metrics by CQC rating, disclosure-controlled, with intervals;
* :func:`posts_in_demand`, :func:`match_candidates` - the supply-and-demand matching rule;
* :func:`pipeline_diversity` - each organisation's pipeline against its target, suppressed;
* :func:`release_360` - what a person may see of their 360 feedback: groups of at least three
  raters, aggregates only, once the cycle closes;
* :func:`culture_by_region` - the staff-survey leadership-culture measures by region;
* :mod:`~candour.analytics.leadership.newdeal` - new-deal commitments (overdue) and success
  measures against their trajectory; :mod:`~candour.analytics.leadership.retention` - how long
  fit-and-proper records are kept;
* :mod:`~candour.analytics.leadership.synthetic`, :mod:`~candour.analytics.leadership.synthetic_talent`
  - the demo's synthetic ledger and pools.
"""

from candour.analytics.leadership.culture import culture_by_region
from candour.analytics.leadership.feedback import release_360
from candour.analytics.leadership.kerr import kerr_by_rating
from candour.analytics.leadership.ledger import board_metrics, metrics_from_status, post_status
from candour.analytics.leadership.talent import (
    match_candidates,
    pipeline_diversity,
    posts_in_demand,
)

__all__ = [
    "board_metrics",
    "culture_by_region",
    "kerr_by_rating",
    "match_candidates",
    "metrics_from_status",
    "pipeline_diversity",
    "post_status",
    "posts_in_demand",
    "release_360",
]
