"""Keep the publication rule true when a published target's balancing measures change."""

from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from candour.web.oversight.models import Target


@receiver(m2m_changed, sender=Target.balancing_measures.through)
def balancing_measures_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse or action not in ("pre_remove", "pre_clear"):
        return
    if not isinstance(instance, Target) or instance.status != Target.Status.PUBLISHED:
        return
    remaining = [
        m
        for m in instance.balancing_measures.all()
        if action == "pre_remove" and m.pk not in pk_set
    ]
    problems = instance.publication_problems(balancing_measures=remaining)
    if problems:
        raise ValidationError(f"Target {instance.pk} is published: " + "; ".join(problems) + ".")
