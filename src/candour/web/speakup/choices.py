"""The fixed lists a concern is recorded against, each with its source.

The four national categories and the worker groups follow the National Guardian's Office
"Recording cases and reporting data" guidance (from April 2024), which NHS England's Freedom to
Speak Up data collection takes over; the protected characteristics are those of the Equality Act
2010, section 4. Values are stored; labels are what people read.
"""

from __future__ import annotations

from django.db import models


class Route(models.TextChoices):
    """How the person speaking up wants to be known (NHS England national policy, 2022)."""

    OPEN = "open", "Openly: I am happy to be named to the people looking into it"
    CONFIDENTIAL = "confidential", "Confidentially: only the guardian may know who I am"
    ANONYMOUS = "anonymous", "Anonymously: nobody, not even the guardian, will know who I am"

    @property
    def short(self) -> str:
        return {"open": "Open", "confidential": "Confidential", "anonymous": "Anonymous"}[self]


class Channel(models.TextChoices):
    WEB = "web", "Online form"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    CHAMPION = "champion", "Through a speak-up champion"


# The national recording categories (NGO guidance; "inappropriate attitudes or behaviours" was
# split from bullying in 2022), then the local themes Candour adds. Field name -> label.
NATIONAL_CATEGORIES: dict[str, str] = {
    "patient_safety": "Patient safety or quality",
    "worker_safety": "Worker safety or wellbeing",
    "bullying": "Bullying or harassment",
    "behaviours": "Inappropriate attitudes or behaviours",
    "other_matter": "Something else",
}
LOCAL_CATEGORIES: dict[str, str] = {"discrimination": "Discrimination"}
CATEGORIES: dict[str, str] = {**NATIONAL_CATEGORIES, **LOCAL_CATEGORIES}


class ProtectedCharacteristic(models.TextChoices):
    """Equality Act 2010, section 4."""

    AGE = "age", "Age"
    DISABILITY = "disability", "Disability"
    GENDER_REASSIGNMENT = "gender_reassignment", "Gender reassignment"
    MARRIAGE = "marriage", "Marriage and civil partnership"
    PREGNANCY = "pregnancy", "Pregnancy and maternity"
    RACE = "race", "Race"
    RELIGION = "religion", "Religion or belief"
    SEX = "sex", "Sex"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    NOT_SAID = "not_said", "I would rather not say"


class ProfessionalGroup(models.TextChoices):
    """Worker groups as the NGO's recording guidance lists them (NHS staff groups)."""

    ADDITIONAL_CLINICAL = (
        "additional_clinical",
        "Additional clinical services (for example healthcare assistants)",
    )
    ADDITIONAL_PROFESSIONAL = (
        "additional_professional",
        "Additional professional, scientific and technical",
    )
    ADMIN = "admin", "Administrative and clerical"
    AHP = "ahp", "Allied health professionals"
    ESTATES = "estates", "Estates and ancillary"
    SCIENTISTS = "scientists", "Healthcare scientists"
    MEDICAL = "medical", "Medical and dental"
    NURSING = "nursing", "Registered nurses and midwives"
    STUDENTS = "students", "Students"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "I would rather not say"  # fmt: skip


class RaisedBefore(models.TextChoices):
    NO = "no", "No"
    MANAGER = "manager", "Yes, with my manager or team"
    ORGANISATION = "organisation", "Yes, elsewhere in the organisation"
    OUTSIDE = "outside", "Yes, outside the organisation (for example a regulator)"


class DetrimentAtIntake(models.TextChoices):
    """The NGO's "detriment indicated" field, asked of the person at intake."""

    NO = "no", "No"
    YES = "yes", "Yes"
    NOT_SURE = "not_sure", "I am not sure"


class Status(models.TextChoices):
    """The case lifecycle, in order (speak-up reference, section (c))."""

    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    TRIAGED = "triaged", "Triaged"
    ACTIONED = "actioned", "Actioned"
    FEEDBACK_GIVEN = "feedback_given", "Feedback given"
    DETRIMENT_WATCH = "detriment_watch", "Closed: detriment watch"
    CLOSED = "closed", "Closed"
    EXPIRED = "expired", "Expired (content destroyed)"


# What a reporter is told about each status (plain English, no jargon).
STATUS_FOR_REPORTER: dict[str, str] = {
    Status.RECEIVED: "Your concern has reached the guardian, who will acknowledge it soon.",
    Status.ACKNOWLEDGED: "The guardian has acknowledged your concern and is deciding what to do.",
    Status.TRIAGED: "The guardian has assessed your concern and is arranging action.",
    Status.ACTIONED: "Action is being taken on your concern.",
    Status.FEEDBACK_GIVEN: "The guardian has given you feedback on the action taken.",
    Status.DETRIMENT_WATCH: (
        "Your concern is closed. The guardian will check with you over the next year that you "
        "have not been treated badly for speaking up."
    ),
    Status.CLOSED: "Your concern is closed.",
    Status.EXPIRED: "Your concern is closed and its details have been destroyed.",
}

OPEN_STATUSES = (
    Status.RECEIVED,
    Status.ACKNOWLEDGED,
    Status.TRIAGED,
    Status.ACTIONED,
    Status.FEEDBACK_GIVEN,
)


class Risk(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class Outcome(models.TextChoices):
    ADDRESSED = "addressed", "Addressed: the concern was acted on"
    PARTLY_ADDRESSED = "partly_addressed", "Partly addressed"
    NOT_UPHELD = "not_upheld", "Looked into and not upheld"
    REFERRED = "referred", "Referred to another process, which owns it now"
    WITHDRAWN = "withdrawn", "Withdrawn by the person who raised it"


class ReferralKind(models.TextChoices):
    HR = "hr", "Human resources (people processes)"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    PATIENT_SAFETY = "patient_safety", "Patient safety incident (PSIRF)"
    COUNTER_FRAUD = "counter_fraud", "Counter-fraud"
    REGULATOR = "regulator", "Regulator (for example the CQC)"
    # Into a conduct concern about a board member, with the reporter's consent (issue 12).
    CONDUCT = "conduct", "Conduct concern about a board member (to the chair)"


class SpeakUpAgain(models.TextChoices):
    """ "Given your experience, would you speak up again?" (NGO feedback question)."""

    YES = "yes", "Yes"
    NO = "no", "No"
    MAYBE = "maybe", "Maybe"
    DONT_KNOW = "dont_know", "I don't know"


class Detriment(models.TextChoices):
    """A detriment check-in's answer (speak-up reference, section (c))."""

    NONE = "none", "No, I have not been treated badly"
    SUSPECTED = "suspected", "I think I may have been"
    CONFIRMED = "confirmed", "Yes, I have been treated badly for speaking up"


class Author(models.TextChoices):
    REPORTER = "reporter", "The person who spoke up"
    GUARDIAN = "guardian", "Guardian"
    SYSTEM = "system", "Candour"


class SealedFor(models.TextChoices):
    CASE = "case", "Case key"
    IDENTITY = "identity", "Identity key"


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a second approver"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", "Waiting for approval"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"
