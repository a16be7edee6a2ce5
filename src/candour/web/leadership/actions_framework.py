"""Storing a competency framework from its reviewed file (``candour leadership framework``).

A framework version is identified by its key. Loading the same file again changes nothing;
loading a changed file under a key that appraisals already use is refused (those appraisals
were made against the old wording): a new version takes a new key, and new appraisals use it
from its ``in_force_from`` day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from candour.exceptions import ImportRefused
from candour.importers.framework import FrameworkDefinition
from candour.web.core import audit
from candour.web.core.actions import actor_label
from candour.web.leadership.models import (
    Competency,
    Framework,
    FrameworkDomain,
    RatingLevel,
)


def fingerprint(definition: FrameworkDefinition) -> str:
    """A hash of the framework's content (not where the file was)."""
    content = dataclasses.asdict(definition) | {"path": ""}
    return hashlib.sha256(json.dumps(content, default=str, sort_keys=True).encode()).hexdigest()


def current_framework(on: dt.date | None = None) -> Framework | None:
    """The framework new appraisals use on ``on``: the latest in force by then."""
    on = on or timezone.localdate()
    return Framework.objects.filter(in_force_from__lte=on).order_by("-in_force_from").first()


@transaction.atomic
def load_framework(*, definition: FrameworkDefinition, by) -> tuple[Framework, bool]:
    """Store ``definition``; returns (framework, whether anything changed)."""
    sha256 = fingerprint(definition)
    existing = Framework.objects.filter(key=definition.key).first()
    if existing is not None and existing.sha256 == sha256:
        return existing, False
    if existing is not None:
        used = existing.appraisals.count()
        if used:
            raise ImportRefused(
                f"framework {definition.key!r} has changed but {used} appraisal(s) were made "
                "against the stored version; give the new version a new key (for example "
                f"{definition.key}-v2) so both are kept"
            )
        existing.delete()
    framework = Framework.objects.create(
        key=definition.key,
        name=definition.name,
        version=definition.version,
        publisher=definition.publisher,
        source_url=definition.source_url,
        in_force_from=definition.in_force_from,
        authored_by=definition.authored_by,
        checked_by=definition.checked_by,
        next_review=definition.next_review,
        loaded_on=timezone.localdate(),
        sha256=sha256,
    )
    RatingLevel.objects.bulk_create(
        RatingLevel(
            framework=framework, key=level.key, label=level.label, score=level.score, order=i
        )
        for i, level in enumerate(definition.scale)
    )
    for domain in definition.domains:
        stored = FrameworkDomain.objects.create(
            framework=framework,
            key=domain.key,
            number=domain.number,
            name=domain.name,
            summary=domain.summary,
        )
        Competency.objects.bulk_create(
            Competency(domain=stored, key=c.key, statement=c.statement, order=i)
            for i, c in enumerate(domain.competencies)
        )
    audit.append(
        actor=actor_label(by),
        action="framework.load",
        target_type="framework",
        target_id=framework.pk,
        details={
            "key": definition.key,
            "sha256": sha256,
            "domains": len(definition.domains),
            "competencies": len(definition.competencies),
            "replaced": existing is not None,
        },
    )
    return framework, True
