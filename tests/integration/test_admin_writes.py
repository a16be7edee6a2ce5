"""The admin site writes nothing unaudited (issue 10, finding 7): its one write, an administrator
changing their own password, goes through the audited action; every ModelAdmin (users and their
role grants, audit events, organisations, measures, imports, targets, concerns, speak-up cases)
refuses adding, changing, deleting and bulk actions, however the request is made."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from tests.conftest import PASSWORD

from candour.web.core.audit_verify import verify
from candour.web.core.models import AuditEvent
from candour.web.core.roles import Role

pytestmark = pytest.mark.django_db

ADMIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
NEW_PASSWORD = "a-new-and-long-admin-password"


@pytest.fixture
def administrator(client, make_user):
    user = make_user(Role.ADMIN)
    client.force_login(user, backend=ADMIN_BACKEND)
    return user


def test_changing_the_password_in_the_admin_site_is_audited(client, administrator):
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change_done")
    administrator.refresh_from_db()
    assert administrator.check_password(NEW_PASSWORD)
    events = AuditEvent.objects.order_by("seq")[before:]
    assert [(e.action, e.actor, e.target_id) for e in events] == [
        ("user.set_password", administrator.username, str(administrator.pk))
    ]
    assert verify().ok
    assert client.get(reverse("admin:index")).status_code == 200  # still signed in


def test_a_refused_password_change_writes_nothing(client, administrator):
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    administrator.refresh_from_db()
    assert administrator.check_password(PASSWORD)
    assert AuditEvent.objects.count() == before


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_model_admin_is_read_only_for_administrators(rf, administrator):
    request = rf.get("/admin/")
    request.user = administrator
    for model, model_admin in registered():
        label = model._meta.label
        assert model_admin.has_view_permission(request), label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        assert model_admin.get_actions(request) == {}, label
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), label
            assert not inline.has_change_permission(request), label
            assert not inline.has_delete_permission(request), label


def test_posting_to_every_add_change_and_delete_page_is_refused(client, administrator):
    before = AuditEvent.objects.count()
    for model, _ in registered():
        info = (model._meta.app_label, model._meta.model_name)
        response = client.post(reverse("admin:{}_{}_add".format(*info)), {})
        assert response.status_code == 403, model
        obj = model.objects.first()
        if obj is None:
            continue
        for view in ("change", "delete"):
            url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])
            assert client.post(url, {"post": "yes"}).status_code == 403, (model, view)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        response = client.post(
            changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        assert model.objects.filter(pk=obj.pk).exists(), model
    assert AuditEvent.objects.count() == before
