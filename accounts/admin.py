from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.forms import ThrottledAdminAuthenticationForm
from accounts.models import ApiToken, User

# The admin's own login checks passwords too: under the same limits as the site's.
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_active", "is_staff", "suspended_at", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "suspended_at")

    def delete_model(self, request, obj):
        services.user_delete(user=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.user_delete(user=user, actor=request.user)

    # Suspension changes go through the moderation queue, which writes the audit log.
    readonly_fields = ("is_active", "suspended_at", "suspension_reason")

    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            _("linkhome"),
            {"fields": ("show_collections_on_profile", "storage_quota_mb", "suspended_at", "suspension_reason")},
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created", "last_used", "revoked")
    list_filter = ("revoked",)
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("prefix", "key_hash", "created", "last_used")
    raw_id_fields = ("user",)
