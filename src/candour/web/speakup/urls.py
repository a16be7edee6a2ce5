"""Speak-up routes (mounted at /speak-up/). Reporter pages are public; everything else declares
its roles in the view (``candour.web.core.access``)."""

from django.urls import path

from candour.web.speakup.views import cases, keys, oversight, reporter, steps, your_concern

app_name = "speakup"

CASE = "cases/<uuid:case_id>/"

urlpatterns = [
    # The person speaking up (no account).
    path("", reporter.start, name="start"),
    path("raise/<str:ods_code>/", reporter.raise_concern, name="raise"),
    path("receipt/", reporter.receipt, name="receipt"),
    path("follow-up/", reporter.follow_up, name="follow_up"),
    path("follow-up/case/", your_concern.reporter_case, name="reporter_case"),
    path("follow-up/reply/", your_concern.reporter_reply, name="reporter_reply"),
    path("follow-up/feedback/", your_concern.reporter_feedback, name="reporter_feedback"),
    path("follow-up/check-in/", your_concern.reporter_check_in, name="reporter_check_in"),
    path("follow-up/file/", your_concern.reporter_add_file, name="reporter_add_file"),
    path("follow-up/leave/", your_concern.reporter_leave, name="reporter_leave"),
    path("organisations/<str:ods_code>/we-did/", reporter.we_did, name="we_did"),
    # Guardians: keys and session.
    path("guardian/keys/", keys.keys, name="keys"),
    path("guardian/keys/recover/", keys.recover, name="recover"),
    path("guardian/unlock/", keys.unlock, name="unlock"),
    path("guardian/lock/", keys.lock, name="lock"),
    path("guardian/handover/", keys.handover, name="handover"),
    # Guardians: cases.
    path("cases/", cases.cases, name="cases"),
    path("cases/record/", cases.record_concern, name="record"),
    path(CASE, cases.case_detail, name="case"),
    path(CASE + "acknowledge/", steps.case_acknowledge, name="case_acknowledge"),
    path(CASE + "triage/", steps.case_triage, name="case_triage"),
    path(CASE + "message/", steps.case_message, name="case_message"),
    path(CASE + "note/", steps.case_note, name="case_note"),
    path(CASE + "action/", steps.case_action, name="case_action"),
    path(CASE + "action-done/", steps.case_action_done, name="case_action_done"),
    path(CASE + "referral/", steps.case_referral, name="case_referral"),
    path(CASE + "conduct/", steps.case_conduct, name="case_conduct"),
    path(CASE + "feedback/", steps.case_feedback, name="case_feedback"),
    path(CASE + "close/", steps.case_close, name="case_close"),
    path(CASE + "check-in/", steps.case_check_in, name="case_check_in"),
    path(CASE + "escalate/", steps.case_escalate, name="case_escalate"),
    path(CASE + "speak-up-again/", steps.case_speak_up_again, name="case_speak_up_again"),
    path(CASE + "disclosure/", steps.case_disclosure, name="case_disclosure"),
    path(CASE + "identity/", steps.case_identity, name="case_identity"),
    path(CASE + "share/", steps.case_share, name="case_share"),
    path(CASE + "legal-hold/", steps.case_legal_hold, name="case_legal_hold"),
    path(
        CASE + "attachments/<uuid:attachment_id>/",
        cases.case_attachment,
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
    path("return-ngo.csv", oversight.quarterly_return_ngo_csv, name="return_ngo_csv"),
    path("coverage/", oversight.coverage, name="coverage"),
]
