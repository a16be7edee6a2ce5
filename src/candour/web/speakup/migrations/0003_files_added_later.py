from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def from_the_case(apps, schema_editor):
    """Files stored before this migration came with their concern: the day it was received."""
    Attachment = apps.get_model("speakup", "Attachment")
    Case = apps.get_model("speakup", "Case")
    received = Case.objects.filter(pk=OuterRef("case_id")).values("received_on")[:1]
    Attachment.objects.update(added_on=Subquery(received))


class Migration(migrations.Migration):
    dependencies = [("speakup", "0002_reporter_activity_by_day")]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="added_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(from_the_case, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attachment",
            name="added_on",
            field=models.DateField(),
        ),
        migrations.AlterField(
            model_name="reporteractivity",
            name="kind",
            field=models.CharField(
                choices=[
                    ("concern", "Concerns raised online"),
                    ("reply", "Replies to a guardian"),
                    ("speak_up_again", "Answers to 'would you speak up again?'"),
                    ("check_in", "Detriment check-ins answered"),
                    ("file", "Files added to a concern later"),
                ],
                max_length=16,
            ),
        ),
    ]
