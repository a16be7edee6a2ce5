"""Number the audit events and key the chain from here on (docs/reference/audit.md).

Existing events keep their SHA-256 hashes and are numbered 1..N in the order written. The head
records N with a seal keyed by AUDIT_KEY over N and the N-th event's hash, and an ``audit.keyed``
event is appended like any other (HMAC-SHA-256, linked to the head's hash), so the unkeyed part is
anchored by the first keyed event. A head that did not match its events before (newest events
deleted, head altered, events added without it) still shows after: the new event follows the
head's count and hash, leaving the gap or broken link that ``candour audit verify`` reports.
"""

from django.db import migrations, models

from candour.web.core.audit import chain_event, unkeyed_seal
from candour.web.core.audit_keys import chain_key

MIGRATION_ACTOR = "system:migration-0002-audit-key"
BATCH = 2000


def key_the_chain(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditHead = apps.get_model("core", "AuditHead")
    events = list(AuditEvent.objects.order_by("id").only("id"))
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    AuditEvent.objects.bulk_update(events, ["seq"], batch_size=BATCH)
    if not events:
        return
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        raise RuntimeError(
            "core_audithead is missing but audit events exist: the chain was tampered with. "
            "Run `candour audit verify` with the previous version and restore the head row "
            "before migrating."
        )
    key = chain_key()
    last_unkeyed = AuditEvent.objects.get(pk=events[-1].pk)
    head.unkeyed_until = last_unkeyed.seq
    head.unkeyed_seal = unkeyed_seal(key, last_unkeyed.seq, last_unkeyed.hash)
    # Past events added without the head: their link to the head's hash stays broken.
    head.count = max(head.count, last_unkeyed.seq)
    head.save()
    chain_event(
        AuditEvent,
        head,
        key,
        actor=MIGRATION_ACTOR,
        action="audit.keyed",
        target_type="",
        target_id="",
        details={"unkeyed_events": last_unkeyed.seq, "last_unkeyed_hash": last_unkeyed.hash},
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["seq"]}),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="audithead",
            name="unkeyed_until",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="audithead",
            name="unkeyed_seal",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(key_the_chain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True),
        ),
    ]
