from .roles import Role


def staff(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "staff_roles": sorted(Role(r).label for r in user.roles),
        "is_front_desk": user.has_role(Role.FRONT_DESK),
        "is_nurse": user.has_role(Role.NURSE),
        "is_physician": user.has_role(Role.PHYSICIAN),
        "is_clinic_admin": user.may(Role.CLINIC_ADMIN),
    }
