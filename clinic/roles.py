"""Staff roles are Django groups; each app declares what its roles may do.

An app's ``AppConfig.role_permissions`` maps a role to permission strings
(``"app_label.codename"``). After every ``migrate`` the groups are brought in line with
those declarations, so a new model's permissions reach the roles without a hand step.
"""

from django.apps import apps as global_apps
from django.db import models


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", "Front desk"
    NURSE = "nurse", "Nurse"
    PHYSICIAN = "physician", "Physician"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"


# Who may do what: the named groups of roles every app uses, defined here once. A view takes
# ``@role_required(*DESK)``, an API ``HasRole.of(*DESK)``, a service
# ``require_role(user, *DESK, doing=...)``; ``clinic.role_matrix`` checks the same groups.
# Modules may name an action after its group (``BOOKERS = DESK``), never spell a new tuple.
ALL_STAFF = (Role.FRONT_DESK, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
DESK = (Role.FRONT_DESK, Role.CLINIC_ADMIN)  # register, book, remind, call escorts
CLINICAL = (Role.NURSE, Role.PHYSICIAN)  # clinical entries, orders, charting, the drug
CLINICAL_READERS = (Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)  # read the clinical record
EDITORS = (Role.PHYSICIAN, Role.CLINIC_ADMIN)  # protocols, lots received, inventories
PHYSICIANS = (Role.PHYSICIAN,)
NURSES = (Role.NURSE,)
ADMINS = (Role.CLINIC_ADMIN,)
MANAGERS = (Role.FRONT_DESK, Role.PHYSICIAN, Role.CLINIC_ADMIN)  # read the clinic's reports

# Which home page a user with several roles lands on: the clinical role wins.
HOME_PRECEDENCE = [Role.PHYSICIAN, Role.NURSE, Role.FRONT_DESK, Role.CLINIC_ADMIN]


def declared_permissions() -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    for app_config in global_apps.get_app_configs():
        for role, perms in getattr(app_config, "role_permissions", {}).items():
            wanted[role].update(perms)
    return wanted


def sync_role_permissions() -> None:
    from django.contrib.auth.models import Group, Permission

    for role, perms in declared_permissions().items():
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        wanted = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:  # an app not migrated yet; the next migrate adds it
                wanted.append(found)
        group.permissions.set(wanted)


def sync_role_permissions_after_migrate(sender, **kwargs) -> None:
    # post_migrate fires once per app that has models; every app's permissions exist
    # only after the last of them.
    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        # This receiver is connected before django.contrib.auth's (clinic is the first app),
        # so the last app's permissions would not exist yet on a new database: create them
        # first (create_permissions does nothing for those that exist).
        from django.contrib.auth.management import create_permissions

        create_permissions(
            sender, verbosity=0, **{k: v for k, v in kwargs.items() if k in ("using", "apps")}
        )
        sync_role_permissions()
