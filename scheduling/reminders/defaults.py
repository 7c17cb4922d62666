"""The rules and wording a new clinic starts with; the admin edits them afterwards.

``seed_defaults`` takes the model classes so the data migration can pass its historical
models; it only adds what is missing and never overwrites the clinic's own edits.
"""

DEFAULT_RULES = [
    # kind, hours before, by email, by SMS
    ("appointment", 48, True, True),
    ("appointment", 24, True, True),
    ("escort_patient", 24, True, True),
    ("escort_escort", 24, False, True),
    ("welcome", 0, True, True),
]

WHEN = '{{ starts_at|date:"l, F j" }} at {{ starts_at|date:"g:i A" }}'
SHORT_WHEN = '{{ starts_at|date:"D M j" }} {{ starts_at|date:"g:i A" }}'
PICKUP = '{{ pickup_at|date:"g:i A" }}'
SIGNATURE = "{{ location_name }}\n{{ location_address }}\n{{ location_phone }}"

# kind -> channel -> (subject, body). SMS bodies name no drug and no diagnosis.
DEFAULT_TEMPLATES = {
    "appointment": {
        "sms": (
            "",
            f"{{{{ location_name }}}}: reminder of your visit {SHORT_WHEN}. "
            "Please confirm: {{ confirm_url }} Questions: {{ location_phone }}. "
            "Reply STOP to opt out.",
        ),
        "email": (
            f"Your visit on {WHEN}",
            f"Dear {{{{ patient_name }}}},\n\nThis is a reminder of your visit on {WHEN} "
            "at {{ location_address }}.\n\nPlease confirm it, and tell us who will collect "
            "you: {{ confirm_url }}\n\nIf you need to change it, call us on "
            f"{{{{ location_phone }}}}.\n\n{SIGNATURE}",
        ),
    },
    "escort_patient": {
        "sms": (
            "",
            f"{{{{ location_name }}}}: you cannot drive after your visit {SHORT_WHEN}. "
            f"Please bring an adult to take you home; pick-up about {PICKUP}. "
            "Confirm your escort: {{ confirm_url }}",
        ),
        "email": (
            "Please bring someone to take you home",
            f"Dear {{{{ patient_name }}}},\n\nYou must not drive after your visit on {WHEN}. "
            f"Please arrange for an adult to collect you at about {PICKUP}.\n\n"
            "Tell us who it is: {{ confirm_url }}\n\n" + SIGNATURE,
        ),
    },
    "escort_escort": {
        "sms": (
            "",
            "{{ escort_name }}, a reminder to collect {{ patient_name }} from "
            f"{{{{ location_name }}}}, {{{{ location_address }}}} at about {PICKUP} on "
            '{{ starts_at|date:"D M j" }}. Questions: {{ location_phone }}. '
            "Reply STOP to opt out.",
        ),
        "email": (
            f"Pick-up of {{{{ patient_name }}}} at about {PICKUP}",
            "Dear {{ escort_name }},\n\nThank you for collecting {{ patient_name }} from "
            f'{{{{ location_address }}}} on {{{{ starts_at|date:"l, F j" }}}} at about {PICKUP}.'
            f"\n\n{SIGNATURE}",
        ),
    },
    "welcome": {
        "sms": (
            "",
            f"Welcome to {{{{ location_name }}}}. Your first visit is {SHORT_WHEN}. "
            "Confirm: {{ confirm_url }} Questions: {{ location_phone }}. Reply STOP to opt out.",
        ),
        "email": (
            "Welcome to {{ location_name }}",
            f"Dear {{{{ patient_name }}}},\n\nWelcome. Your first visit is on {WHEN} at "
            "{{ location_address }}. We will remind you before each visit.\n\n"
            "Please confirm it, and tell us who will take you home: {{ confirm_url }}\n\n"
            + SIGNATURE,
        ),
    },
}


def seed_defaults(rule_model, template_model) -> int:
    """Add the default rules and templates that are missing; return how many were added."""
    added = 0
    for kind, hours, by_email, by_sms in DEFAULT_RULES:
        _, made = rule_model.objects.get_or_create(
            kind=kind,
            hours_before=hours,
            defaults={"by_email": by_email, "by_sms": by_sms, "is_active": True},
        )
        added += made
    for kind, channels in DEFAULT_TEMPLATES.items():
        for channel, (subject, body) in channels.items():
            _, made = template_model.objects.get_or_create(
                kind=kind, channel=channel, defaults={"subject": subject, "body": body}
            )
            added += made
    return added
