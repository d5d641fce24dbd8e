"""API for bookmark import jobs and exports. Thin: validate shape, call importing/exporting."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from snapshots import access
from snapshots.models import ImportJob
from snapshots.transfer import exporting, importing


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    capture = serializers.BooleanField(required=False, default=False)


class SkippedSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    url = serializers.CharField()
    reason = serializers.CharField()
    code = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    created = serializers.IntegerField(source="created_links", help_text="Links saved so far")
    skipped = SkippedSerializer(many=True)

    class Meta:
        model = ImportJob
        fields = ["id", "status", "total", "done", "created", "skipped", "error", "error_code"]
        extra_kwargs = {
            "error": {"help_text": "Why the import failed, in English."},
            "error_code": {"help_text": "Why the import failed, as a stable code (such as import_timed_out)."},
        }


class ImportCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={202: inline_serializer("ImportQueued", {"id": serializers.IntegerField()})},
    )
    def post(self, request):
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = importing.import_job_create(
            owner=request.user, upload=data.validated_data["file"], capture=data.validated_data["capture"]
        )
        return Response({"id": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    @extend_schema(responses=ImportJobSerializer)
    def get(self, request, pk: int):
        job = access.get_import_job_for_user(request.user, pk)
        return Response(ImportJobSerializer(job).data)


class ExportView(APIView):
    """`?format=` names the file format here, not one of DRF's renderers, so negotiation is forced."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["netscape", "json"], description="Default netscape")],
        responses={(200, "text/html"): OpenApiTypes.STR, (200, "application/json"): OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return exporting.export_response(
            owner=request.user, kind=request.query_params.get("format", "netscape"), absolute=request.build_absolute_uri
        )
