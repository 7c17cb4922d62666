"""API keys in the admin: clinic admins issue, change and revoke them.

The secret is shown once, on the page that answers the "add" form, and is never stored
(only its hash) nor put in a message (Django's messages live in the session row).
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from rest_framework_api_key.models import APIKey as LibraryAPIKey

from clinic.access import locations_for
from clinic.models import Location

from . import services, webhooks
from .models import (
    ApiKey,
    KeyCall,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    validate_network,
)
from .scopes import Scope

# The library's own concrete model is unused: keys are integrations.ApiKey.
if admin.site.is_registered(LibraryAPIKey):
    admin.site.unregister(LibraryAPIKey)

SECRET_ATTR = "_integrations_new_key_secret"  # noqa: S105 - an attribute name, not a secret


class NetworksField(forms.CharField):
    """One address or network per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value) -> list[str]:
        lines = [line.strip() for line in (value or "").splitlines()]
        return [line for line in lines if line]

    def validate(self, value) -> None:
        for network in value:
            validate_network(network)


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    sites = forms.ModelMultipleChoiceField(
        queryset=Location.objects.none(), widget=forms.CheckboxSelectMultiple, required=True
    )
    allowed_networks = NetworksField(
        required=False,
        help_text="Calls only from these addresses or networks, one per line, e.g. "
        "203.0.113.0/24 (empty: from anywhere).",
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "sites", "allowed_networks", "expiry_date",
                  "requests_per_minute"]  # fmt: skip

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "sites" in self.fields:  # not on a revoked key's read-only page
            self.fields["sites"].queryset = locations_for(actor).order_by("name")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "scope_list", "created", "expiry_date", "revoked",
                    "last_used_at", "use_count"]  # fmt: skip
    list_filter = ["revoked", "created"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    readonly_fields = ["prefix", "created", "created_by", "revoked", "revoked_at", "revoked_by",
                       "last_used_at", "use_count"]  # fmt: skip

    @admin.display(description="Scopes")
    def scope_list(self, key: ApiKey) -> str:
        return ", ".join(key.scopes)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class WithActor(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, actor=request.user, **inner)

        return WithActor

    def get_fields(self, request, obj=None):
        editable = ["name", "scopes", "sites", "allowed_networks", "expiry_date",
                    "requests_per_minute"]  # fmt: skip
        return editable if obj is None else editable + self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.revoked:
            return self.get_fields(request, obj)  # a revoked key stays as it was
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # its calls point at it; revoke instead

    def save_model(self, request, obj, form, change) -> None:
        if change and obj.revoked:
            return  # a revoked key's page is read-only: nothing to save
        data = form.cleaned_data
        fields = dict(
            name=data["name"],
            scopes=list(data["scopes"]),
            sites=list(data["sites"]),
            allowed_networks=data["allowed_networks"],
            expiry_date=data["expiry_date"],
            requests_per_minute=data["requests_per_minute"],
        )
        if change:
            key = services.api_key_update(key=obj, changed_by=request.user, **fields)
        else:
            key, secret = services.api_key_create(created_by=request.user, **fields)
            setattr(request, SECRET_ATTR, secret)
        obj.__dict__.update(key.__dict__)  # the admin logs and links the object it passed

    def save_related(self, request, form, formsets, change) -> None:
        pass  # the service set the sites (and the service user's roles and sites)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, SECRET_ATTR, None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": "API key issued",
            "key": obj,
            "secret": secret,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/integrations/apikey/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke selected keys (for good)", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        done = 0
        for key in queryset.filter(revoked=False):
            services.api_key_revoke(key=key, revoked_by=request.user)
            done += 1
        self.message_user(request, f"{done} key(s) revoked.", messages.SUCCESS)


@admin.register(KeyCall)
class KeyCallAdmin(admin.ModelAdmin):
    """Every call made with a key (append-only): read here, never changed."""

    list_display = ["at", "key", "method", "path", "status_code", "ip_address"]
    list_filter = ["key", "status_code", "method"]
    list_select_related = ["key"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(assume_scheme="https", max_length=500)
    events = forms.MultipleChoiceField(
        choices=[c for c in WebhookEvent.choices if c[0] != WebhookEvent.TEST],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["key", "url", "events", "include_phi", "is_active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Where an integration hears of events. The signing secret is shown on the
    subscription's page to clinic admins, to give to the receiver."""

    form = WebhookSubscriptionForm
    list_display = ["key", "url", "include_phi", "is_active", "consecutive_failures",
                    "disabled_at"]  # fmt: skip
    list_filter = ["is_active", "include_phi"]
    readonly_fields = ["secret", "consecutive_failures", "disabled_at", "created_at"]
    actions = ["send_test_event"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switch it off instead; its deliveries are the log

    def save_model(self, request, obj, form, change) -> None:
        if change:
            if obj.is_active and "is_active" in form.changed_data:
                obj.consecutive_failures, obj.disabled_at = 0, None  # switched back on
            obj.full_clean()
            obj.save()
            return
        subscription = services.webhook_subscribe(
            key=obj.key, url=obj.url, events=list(obj.events), created_by=request.user,
            include_phi=obj.include_phi,
        )  # fmt: skip
        obj.__dict__.update(subscription.__dict__)

    @admin.action(description="Send a test event", permissions=["change"])
    def send_test_event(self, request, queryset) -> None:
        for subscription in queryset:
            webhooks.test_event(subscription)
        self.message_user(
            request, f"{queryset.count()} test event(s) queued; see Webhook deliveries.",
            messages.SUCCESS,
        )  # fmt: skip


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: each event, its tries and the receiver's answer."""

    list_display = ["created_at", "event", "subscription", "status", "attempts",
                    "response_status", "next_attempt_at"]  # fmt: skip
    list_filter = ["status", "event"]
    list_select_related = ["subscription__key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
