"""The staff page: each colleague's roles, sites and active flag, nothing else."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from .access import locations_for, role_required
from .models import Location
from .roles import Role
from .staff import staff_for, staff_update, work_left_behind


class StaffForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Sites",
    )
    is_active = forms.BooleanField(
        required=False, label="Active", help_text="Untick to deactivate: logged out at once."
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations_for(actor).order_by("name")


@role_required(Role.CLINIC_ADMIN)
def staff_list(request):
    rows = [
        {"user": u, "roles": sorted(Role(r).label for r in u.roles), "sites": u.locations.all()}
        for u in staff_for(request.user)
    ]
    return render(request, "clinic/staff.html", {"rows": rows})


@role_required(Role.CLINIC_ADMIN)
def staff_edit(request, pk: int):
    member = get_object_or_404(staff_for(request.user), pk=pk)
    initial = {
        "roles": sorted(member.roles),
        "locations": member.locations.all(),
        "is_active": member.is_active,
    }
    form = StaffForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_update(
                actor=request.user,
                user=member,
                roles=form.cleaned_data["roles"],
                locations=list(form.cleaned_data["locations"]),
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                form.add_error(field if field in form.fields else None, texts)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{member} saved.")
            for sentence in work_left_behind(member):
                messages.warning(request, sentence)
            return redirect("staff_list")
    return render(request, "clinic/staff_edit.html", {"member": member, "form": form})
