"""REST API for tools and extensions. Thin: validate shape, call a service or selector."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts import throttling
from accounts.addresses import client_ip
from snapshots import access
from snapshots.api.pagination import LinkCursorPagination
from snapshots.api.serializers import (
    LinkInputSerializer,
    LinkSerializer,
    SnapshotSerializer,
    SnapshotWaitSerializer,
    TagCountSerializer,
    TokenRequestSerializer,
)
from snapshots.archive import ends, lifecycle
from snapshots.links import selectors, services
from snapshots.models import Snapshot
from snapshots.search.listcache import tag_counts
from snapshots.storage.quota import storage_usage


class TokenCreateView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_authenticate_header(self, request) -> str:
        """Wrong credentials are a 401 like everywhere else in the API, not DRF's 403 fallback."""
        return "Token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: inline_serializer("TokenCreated", {"token": serializers.CharField()})},
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        ip = client_ip(request)
        wait = throttling.login_wait(username=username, ip=ip)
        if wait:
            refused = Throttled(detail=throttling.login_refused_message(wait))
            refused.wait = wait  # Retry-After; the message already says how long in words
            raise refused
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None:
            throttling.login_failed(username=username, ip=ip)
            raise AuthenticationFailed(_("Wrong user name or password."))
        throttling.login_succeeded(username=username, ip=ip)
        _token, secret = account_services.token_create(user=user, name=data.validated_data.get("name", "api"))
        return Response({"token": secret}, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("tag", str, description="Only links with this tag"),
        OpenApiParameter("q", str, description='Search: words, "phrase", #tag, -exclude, site:host'),
    ]
)
class LinkListCreateView(generics.ListCreateAPIView):
    serializer_class = LinkSerializer
    pagination_class = LinkCursorPagination

    def get_queryset(self):
        params = self.request.query_params
        links = selectors.link_list(
            owner=self.request.user, tag=params.get("tag") or None, query=params.get("q") or None
        )
        return selectors.with_api_prefetch(links)

    @extend_schema(request=LinkInputSerializer, responses={201: LinkSerializer})
    def post(self, request):
        data = LinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = services.link_create(owner=request.user, **data.validated_data)
        link = selectors.with_api_prefetch(selectors.link_list(owner=request.user)).get(pk=link.pk)
        return Response(LinkSerializer(link, context={"request": request}).data, status=status.HTTP_201_CREATED)


class LinkDetailView(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = LinkSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.with_api_prefetch(selectors.link_list(owner=self.request.user))

    @extend_schema(request=LinkInputSerializer(partial=True), responses={200: LinkSerializer})
    def patch(self, request, pk: int):
        link = self.get_object()
        data = LinkInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.link_update(link=link, data=data.validated_data)
        link = self.get_queryset().get(pk=link.pk)
        return Response(LinkSerializer(link, context={"request": request}).data)

    def perform_destroy(self, instance):
        services.link_delete(link=instance)


class LinkCaptureView(APIView):
    @extend_schema(request=None, responses={201: SnapshotSerializer})
    def post(self, request, pk: int):
        link = access.get_link_for_user(request.user, pk)
        try:
            snapshot = lifecycle.snapshot_request(link=link, trigger=Snapshot.Trigger.MANUAL, strict=True)
        except lifecycle.CaptureRateExceeded:
            raise Throttled(detail=_("Capture rate exceeded; try again later.")) from None
        return Response(SnapshotSerializer(snapshot, context={"request": request}).data, status=status.HTTP_201_CREATED)


WAIT_HELP = (
    "Seconds to hold the answer until the capture has ended (succeeded or failed), at most "
    "API_WAIT_MAX_SECONDS (20 by default; a longer wait is cut to it). The answer comes as soon as the "
    "capture ends, or at the end of the wait with the status then. A wait is not held when too many "
    "requests already wait (one per user by default): the answer comes at once, so pause before asking again."
)


@extend_schema(parameters=[OpenApiParameter("wait", float, description=WAIT_HELP)])
class SnapshotDetailView(generics.RetrieveAPIView):
    serializer_class = SnapshotSerializer

    def get_object(self):
        user, pk = self.request.user, self.kwargs["pk"]
        snapshot = access.get_snapshot_for_user(user, pk)
        asked = SnapshotWaitSerializer(data=self.request.query_params)
        asked.is_valid(raise_exception=True)
        seconds = asked.validated_data["wait"]
        if seconds and not snapshot.is_finished and ends.wait_for_end(snapshot.pk, user.pk, seconds):
            snapshot = access.get_snapshot_for_user(user, pk)
        return snapshot


class TagListView(APIView):
    pagination_class = None

    @extend_schema(responses=TagCountSerializer(many=True))
    def get(self, request):
        tags = tag_counts(owner_id=request.user.pk)
        return Response([{"name": t.name, "count": t.count} for t in tags])




class StorageUsageView(APIView):
    """The caller's storage: bytes their own captures use (shared files counted in full) and their quota."""

    @extend_schema(
        responses=inline_serializer(
            "StorageUsage",
            {
                "used_bytes": serializers.IntegerField(),
                "quota_bytes": serializers.IntegerField(allow_null=True, help_text="null: no limit"),
            },
        )
    )
    def get(self, request):
        usage = storage_usage(request.user)
        return Response({"used_bytes": usage.used_bytes, "quota_bytes": usage.quota_bytes})
