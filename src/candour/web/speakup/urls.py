"""Speak-up routes (mounted at /speak-up/). Reporter pages are public; everything else declares
its roles in the view (``candour.web.core.access``)."""

from django.urls import path

from candour.web.speakup.views import guardian, oversight, reporter

app_name = "speakup"

CASE = "cases/<uuid:case_id>/"

urlpatterns = [
    # The person speaking up (no account).
    path("", reporter.start, name="start"),
    path("raise/<str:ods_code>/", reporter.raise_concern, name="raise"),
    path("receipt/", reporter.receipt, name="receipt"),
    path("follow-up/", reporter.follow_up, name="follow_up"),
    path("follow-up/case/", reporter.reporter_case, name="reporter_case"),
    path("follow-up/reply/", reporter.reporter_reply, name="reporter_reply"),
    path("follow-up/feedback/", reporter.reporter_feedback, name="reporter_feedback"),
    path("follow-up/check-in/", reporter.reporter_check_in, name="reporter_check_in"),
    path("follow-up/leave/", reporter.reporter_leave, name="reporter_leave"),
    path("organisations/<str:ods_code>/we-did/", reporter.we_did, name="we_did"),
    # Guardians: keys and session.
    path("guardian/keys/", guardian.keys, name="keys"),
    path("guardian/keys/recover/", guardian.recover, name="recover"),
    path("guardian/unlock/", guardian.unlock, name="unlock"),
    path("guardian/lock/", guardian.lock, name="lock"),
    path("guardian/handover/", guardian.handover, name="handover"),
    # Guardians: cases.
    path("cases/", guardian.cases, name="cases"),
    path("cases/record/", guardian.record_concern, name="record"),
    path(CASE, guardian.case_detail, name="case"),
    path(CASE + "acknowledge/", guardian.case_acknowledge, name="case_acknowledge"),
    path(CASE + "triage/", guardian.case_triage, name="case_triage"),
    path(CASE + "message/", guardian.case_message, name="case_message"),
    path(CASE + "note/", guardian.case_note, name="case_note"),
    path(CASE + "action/", guardian.case_action, name="case_action"),
    path(CASE + "action-done/", guardian.case_action_done, name="case_action_done"),
    path(CASE + "referral/", guardian.case_referral, name="case_referral"),
    path(CASE + "feedback/", guardian.case_feedback, name="case_feedback"),
    path(CASE + "close/", guardian.case_close, name="case_close"),
    path(CASE + "check-in/", guardian.case_check_in, name="case_check_in"),
    path(CASE + "escalate/", guardian.case_escalate, name="case_escalate"),
    path(CASE + "speak-up-again/", guardian.case_speak_up_again, name="case_speak_up_again"),
    path(CASE + "disclosure/", guardian.case_disclosure, name="case_disclosure"),
    path(CASE + "identity/", guardian.case_identity, name="case_identity"),
    path(CASE + "share/", guardian.case_share, name="case_share"),
    path(CASE + "legal-hold/", guardian.case_legal_hold, name="case_legal_hold"),
    path(
        CASE + "attachments/<uuid:attachment_id>/",
        guardian.case_attachment,
        name="case_attachment",
    ),
    # Second approvals, "you said, we did", action owners.
    path("approvals/", oversight.approvals, name="approvals"),
    path("approvals/disclosures/<int:pk>/", oversight.decide_disclosure, name="decide_disclosure"),
    path("approvals/summaries/<int:pk>/", oversight.decide_summary, name="decide_summary"),
    path("we-did/", oversight.summaries, name="summaries"),
    path("actions/", oversight.my_actions, name="my_actions"),
    path("actions/<int:pk>/done/", oversight.action_done, name="action_done"),
    # Themes and the quarterly return (disclosure-controlled), guardian coverage.
    path("themes/", oversight.themes, name="themes"),
    path("return/", oversight.quarterly_return, name="return"),
    path("return.csv", oversight.quarterly_return_csv, name="return_csv"),
    path("coverage/", oversight.coverage, name="coverage"),
]
