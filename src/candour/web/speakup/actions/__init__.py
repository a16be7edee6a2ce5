"""Every speak-up write. Keyword-only arguments; ``by`` is the actor (a User, or
``system:<what>`` for the reporter's pages and commands); the audit event is written in the same
transaction.

What the audit log never holds: concern content, messages, names, receipts, addresses. Events
caused by the person speaking up (raising, replying, answering) are recorded against the
*organisation*, not the case, because the audit log's timestamps are exact to the microsecond
while the case keeps only the day: joining the two would time-stamp a reporter's visit.
Guardians' events name the case.

The actions live in one module per area (``common``, ``guardians``, ``reporters``, ``steps``,
``identity``, ``handover``, ``summaries``, ``retention``, ``notify``); this package re-exports them, so callers
write ``actions.submit_concern(...)``.
"""

from candour.web.speakup.actions.common import (
    ACKNOWLEDGEMENT,
    REPORTER_FOLLOW_UP,
    REPORTER_FORM,
    STATUS_ORDER,
    NoGuardianError,
    add_months,
    readers_of,
    sealed_for,
    today,
)
from candour.web.speakup.actions.guardians import (
    assign_guardian,
    confirm_recovery_key,
    enrol_guardian,
    new_recovery_key,
    replace_guardian_keys,
    reset_guardian_password,
    unassign_guardian,
)
from candour.web.speakup.actions.handover import (
    hand_over_cases,
    share_case,
)
from candour.web.speakup.actions.identity import (
    decide_disclosure,
    request_disclosure,
    reveal_identity,
)
from candour.web.speakup.actions.notify import Notified, notify_guardians
from candour.web.speakup.actions.reporters import (
    Submitted,
    Upload,
    answer_check_in,
    answer_speak_up_again,
    audit_reporter_activity,
    record_turned_away,
    reporter_add_file,
    reporter_reply,
    submit_concern,
)
from candour.web.speakup.actions.retention import (
    KEYSTORE_MATCH_SAMPLE,
    ORPHAN_QUERY_BATCH,
    KeyStoreMismatch,
    Shredded,
    check_keystore_matches_database,
    delete_orphan_keys,
    expire_cases,
    orphan_keys,
    set_legal_hold,
    shred_case,
)
from candour.web.speakup.actions.steps import (
    acknowledge,
    add_action,
    add_note,
    close_case,
    complete_action,
    escalate_check_in,
    give_feedback,
    record_attachment_read,
    record_case_read,
    refer,
    send_message,
    triage,
)
from candour.web.speakup.actions.summaries import (
    decide_summary,
    write_summary,
)

__all__ = [
    "ACKNOWLEDGEMENT",
    "KEYSTORE_MATCH_SAMPLE",
    "ORPHAN_QUERY_BATCH",
    "REPORTER_FOLLOW_UP",
    "REPORTER_FORM",
    "STATUS_ORDER",
    "KeyStoreMismatch",
    "NoGuardianError",
    "Notified",
    "Shredded",
    "Submitted",
    "Upload",
    "acknowledge",
    "add_action",
    "add_months",
    "add_note",
    "answer_check_in",
    "answer_speak_up_again",
    "assign_guardian",
    "audit_reporter_activity",
    "check_keystore_matches_database",
    "close_case",
    "complete_action",
    "confirm_recovery_key",
    "decide_disclosure",
    "decide_summary",
    "delete_orphan_keys",
    "enrol_guardian",
    "escalate_check_in",
    "expire_cases",
    "give_feedback",
    "hand_over_cases",
    "new_recovery_key",
    "notify_guardians",
    "orphan_keys",
    "readers_of",
    "record_attachment_read",
    "record_case_read",
    "record_turned_away",
    "refer",
    "replace_guardian_keys",
    "reporter_add_file",
    "reporter_reply",
    "request_disclosure",
    "reset_guardian_password",
    "reveal_identity",
    "sealed_for",
    "send_message",
    "set_legal_hold",
    "share_case",
    "shred_case",
    "submit_concern",
    "today",
    "triage",
    "unassign_guardian",
    "write_summary",
]
