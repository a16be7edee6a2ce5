"""Leadership routes (mounted at /leadership/). Every view declares its roles
(``candour.web.core.access``); region pages also need a seat on the region's talent board
(``candour.web.leadership.access``); appraisals, fit-and-proper records, conduct concerns and
new-deal packages narrow further by :mod:`candour.web.leadership.policy`."""

from django.urls import path

from candour.web.leadership import (
    views,
    views_appraisal,
    views_conduct,
    views_culture,
    views_fitness,
    views_newdeal,
)

app_name = "leadership"

REGION = "regions/<str:region_code>/"
ORGANISATION = "organisations/<str:ods_code>/"
APPRAISAL = "appraisals/<int:pk>/"
PACKAGE = "new-deals/<int:pk>/"
COMMITMENT = PACKAGE + "commitments/<int:commitment_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("board-vacancies-by-cqc-rating/", views.kerr, name="kerr"),
    path(REGION, views.region, name="region"),
    path(f"{REGION}ledger/", views.region_ledger, name="region_ledger"),
    path(f"{REGION}pools/", views.region_pools, name="region_pools"),
    path(f"{REGION}succession-plans/", views.region_plans, name="region_plans"),
    path(f"{REGION}posts/<str:post_id>/decide/", views.decide, name="decide"),
    path(f"{REGION}leadership-culture/", views_culture.region_culture, name="region_culture"),
    # New-deal packages.
    path(f"{REGION}new-deals/", views_newdeal.region_new_deals, name="region_new_deals"),
    path(f"{REGION}new-deals/new/", views_newdeal.new_deal_new, name="new_deal_new"),
    path(PACKAGE, views_newdeal.new_deal, name="new_deal"),
    path(f"{PACKAGE}commitments/", views_newdeal.new_deal_commitment, name="new_deal_commitment"),
    path(f"{COMMITMENT}status/", views_newdeal.commitment_status, name="commitment_status"),
    path(f"{COMMITMENT}chart.svg", views_newdeal.commitment_chart, name="commitment_chart"),
    # Appraisals and 360 feedback.
    path("appraisals/", views_appraisal.appraisals, name="appraisals"),
    path("appraisals/new/", views_appraisal.appraisal_new, name="appraisal_new"),
    path(APPRAISAL, views_appraisal.appraisal, name="appraisal"),
    path(f"{APPRAISAL}<str:step>/", views_appraisal.appraisal_step, name="appraisal_step"),
    path("feedback/<int:pk>/", views_appraisal.feedback_answer, name="feedback_answer"),
    # Fit and proper person records, board references, conduct concerns.
    path(f"{ORGANISATION}fit-and-proper/", views_fitness.fppt, name="fppt"),
    path("fit-and-proper/<int:pk>/", views_fitness.fppt_record, name="fppt_record"),
    path("fit-and-proper/<int:pk>/<str:step>/", views_fitness.fppt_step, name="fppt_step"),
    path(f"{ORGANISATION}board-references/", views_fitness.references, name="references"),
    path(f"{ORGANISATION}conduct/", views_conduct.conduct, name="conduct"),
    path("conduct/<int:pk>/", views_conduct.conduct_concern, name="conduct_concern"),
    path("conduct/<int:pk>/<str:step>/", views_conduct.conduct_step, name="conduct_step"),
]
