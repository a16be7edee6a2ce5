"""Vocabularies and thresholds of the leadership analytics, each with its source."""

from __future__ import annotations

from typing import Final

# Board post roles (issue 12, item 1): the executive directors a trust board must have (chief
# executive, finance, nursing, medical), the other usual executive portfolios, the chair and the
# non-executive directors.
CHIEF_EXECUTIVE: Final = "chief_executive"
ROLES: Final = (
    CHIEF_EXECUTIVE,
    "finance",
    "nursing",
    "medical",
    "operations",
    "people",
    "chair",
    "non_executive",
    "other",
)
ROLE_LABELS: Final = {
    CHIEF_EXECUTIVE: "Chief executive",
    "finance": "Finance director",
    "nursing": "Nursing director",
    "medical": "Medical director",
    "operations": "Operations director",
    "people": "People director",
    "chair": "Chair",
    "non_executive": "Non-executive director",
    "other": "Other executive director",
}
# Roles that cannot be executive posts, and the one that must be.
NON_EXECUTIVE_ROLES: Final = frozenset({"chair", "non_executive"})
EXECUTIVE_ONLY_ROLES: Final = frozenset({CHIEF_EXECUTIVE})

# How a post is held (issue 12, item 1).
SUBSTANTIVE: Final = "substantive"
INTERIM: Final = "interim"
ACTING: Final = "acting"
JOINT: Final = "joint"
BASES: Final = (SUBSTANTIVE, INTERIM, ACTING, JOINT)
# A post held only on these bases is "interim"; a substantive or joint holder makes it substantive
# and is what the chief executive's unbroken run is chained from.
TEMPORARY_BASES: Final = frozenset({INTERIM, ACTING})
PERMANENT_BASES: Final = frozenset({SUBSTANTIVE, JOINT})

# Post status at a date.
VACANT: Final = "vacant"
INTERIM_STATUS: Final = "interim"
SUBSTANTIVE_STATUS: Final = "substantive"

# "Appointed in the last 12 months" (King's Fund analysis quoted by the Kerr review: 20% of
# executives in outstanding trusts, 72% in inadequate ones): started in (as_of - 365 days, as_of].
APPOINTED_WINDOW_DAYS: Final = 365
# Consecutive holdings of a post by one person chain into one unbroken run while each starts no
# more than one day after the previous one ends (issue 12, item 1).
RUN_CHAIN_GAP_DAYS: Final = 1

# Supply and demand (issue 12, item 2): a post is at risk when its holder leaves within
# 12 months, or when it has been held on an interim basis for over 6 months.
LEAVING_WITHIN_DAYS: Final = 365
LONG_INTERIM_DAYS: Final = 183  # six months

# Talent pools, readiness and mobility (NHS Leadership Academy, Aspire Together regional talent
# boards; readiness bands "ready now (within 12 months)", "1-2 years", "3+ years").
POOL_KINDS: Final = ("aspiring_director", "existing_director", "chief_executive")
READY_NOW: Final = "ready_now"
READINESS: Final = (READY_NOW, "one_to_two_years", "three_plus_years")
# How far a person will move: their own organisation, their integrated care system (the ICB's
# area), their region, or anywhere in England.
MOBILITY: Final = ("organisation", "system", "region", "national")

# Reasons a post is in demand, most urgent first.
DEMAND_VACANT: Final = "vacant"
DEMAND_LONG_INTERIM: Final = "interim_over_6_months"
DEMAND_INTERIM: Final = "interim"
DEMAND_LEAVING: Final = "holder_leaving_within_12_months"
DEMAND_REASONS: Final = (DEMAND_VACANT, DEMAND_LONG_INTERIM, DEMAND_INTERIM, DEMAND_LEAVING)

# Pipeline diversity: the NHS Staff Survey reports no result for a group of fewer than 11
# people; a pipeline with fewer people whose ethnicity is recorded shows nothing, not even
# its counts. Counts themselves pass through candour.analytics.disclosure (the HES rule).
PIPELINE_MIN_GROUP: Final = 11
ETHNICITY_GROUPS: Final = ("bme", "white")  # consented ethnicity recorded; "not stated" excluded

CQC_RATINGS: Final = ("Outstanding", "Good", "Requires improvement", "Inadequate")
