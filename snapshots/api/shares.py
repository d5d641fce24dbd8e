"""Shared collections over the API: list, create, read, update, delete, rotate.

Owners manage their own shares; staff may additionally read any share and change `moderation`,
which is the one field an owner can never change (so an owner cannot undo a staff disable).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from snapshots import access
from snapshots.api.serializers import UTCModelSerializer
from snapshots.models import DESCRIPTION_MAX_LENGTH, SHARE_TITLE_MAX_LENGTH, TAG_MAX_LENGTH, Share
from snapshots.sharing import moderation, shares


class ShareSerializer(UTCModelSerializer):
    tag = serializers.CharField(source="tag_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Share
        fields = ["id", "tag", "title", "description", "url", "active", "expires", "created", "moderation"]

    def get_url(self, share: Share) -> str:
        path = reverse("snapshots:share_page", args=[share.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ShareCreateSerializer(serializers.Serializer):
    tag = serializers.CharField(max_length=TAG_MAX_LENGTH)
    title = serializers.CharField(max_length=SHARE_TITLE_MAX_LENGTH)
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    expires = serializers.DateTimeField(required=False, allow_null=True)


class ShareUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=SHARE_TITLE_MAX_LENGTH)
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    expires = serializers.DateTimeField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)
    moderation = serializers.ChoiceField(required=False, choices=Share.Moderation.choices)


def _shares_for(user):
    return Share.objects.all() if user.is_staff else access.shares_of(user)


class ShareListCreateView(generics.ListAPIView):
    serializer_class = ShareSerializer

    def get_queryset(self):
        return access.shares_of(self.request.user)

    @extend_schema(request=ShareCreateSerializer, responses={201: ShareSerializer})
    def post(self, request):
        data = ShareCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share = shares.share_create(owner=request.user, **data.validated_data)
        return Response(ShareSerializer(share, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ShareDetailView(generics.RetrieveDestroyAPIView):
    serializer_class = ShareSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self):
        return get_object_or_404(_shares_for(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=ShareUpdateSerializer, responses={200: ShareSerializer})
    def patch(self, request, pk: int):
        share = self.get_object()
        data = ShareUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        wanted = changes.pop("moderation", None)
        # Check both permissions before writing anything, so a refused request changes nothing.
        if changes and share.owner_id != request.user.pk:
            raise PermissionDenied(_("Only the owner can change a share."))
        if wanted is not None and wanted != share.moderation:
            if not request.user.is_staff:
                raise PermissionDenied(_("Only staff can change moderation."))
            moderation.share_moderate(share=share, moderation=wanted, actor=request.user, reason="api")
        if changes:
            shares.share_update(share=share, data=changes)
        return Response(ShareSerializer(share, context={"request": request}).data)

    def perform_destroy(self, instance: Share) -> None:
        if instance.owner_id != self.request.user.pk:
            raise PermissionDenied(_("Only the owner can delete a share."))
        shares.share_delete(share=instance)


class ShareRotateView(APIView):
    @extend_schema(request=None, responses={200: ShareSerializer})
    def post(self, request, pk: int):
        share = access.get_share_for_owner(request.user, pk)
        shares.share_rotate(share=share)
        return Response(ShareSerializer(share, context={"request": request}).data)
