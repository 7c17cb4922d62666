from django.contrib import admin

from .models import Chair


@admin.register(Chair)
class ChairAdmin(admin.ModelAdmin):
    list_display = ["name", "location", "is_active"]
    list_filter = ["location", "is_active"]
    search_fields = ["name", "location__name"]
