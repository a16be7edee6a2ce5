"""Keep the alert workflow's closing rule true on every path: the concern of a mortality alert
is closed only by regional oversight's review accepting the trust's response
(:func:`candour.web.mortality.actions.review`), on the evidence that review names. The oversight
concern page's "Close concern" (open to a board member as well) is refused for it, as is any
other save that would close it."""

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.dispatch import receiver

from candour.web.oversight.models import Concern

REFUSAL = (
    "This concern is a mortality alert: regional oversight closes it by reviewing the trust's "
    "response on the alert's page, on the evidence that review names."
)


@receiver(pre_save, sender=Concern)
def mortality_alert_closed_only_by_review(sender, instance, **kwargs):
    if instance.pk is None or instance.status != Concern.Status.CLOSED:
        return
    from candour.web.mortality.models import AlertReview, MortalityAlert

    alert = MortalityAlert.objects.filter(concern_id=instance.pk).first()
    if alert is None:
        return
    accepted = AlertReview.objects.filter(
        alert=alert,
        decision=AlertReview.Decision.ACCEPT,
        closed_on_id=instance.closing_evidence_id,
    )
    if not accepted.exists():
        raise ValidationError(REFUSAL)
