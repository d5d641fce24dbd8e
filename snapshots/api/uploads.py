"""API for pages saved in the owner's own browser, such as by the SingleFile extension.

SingleFile's "upload to a REST form API" posts multipart form data (the page under a file field,
the page's URL under a URL field, both named in its settings) with `Authorization: Bearer
<token>`. This view accepts that form of our API token as well as the usual `Token` one.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import BearerTokenAuthentication, HashedTokenAuthentication
from snapshots.api.serializers import SnapshotSerializer
from snapshots.links import uploads


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Names the Bearer form apart from `Token` in the schema (both are the same hashed tokens)."""

    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token, as SingleFile sends it."}


class PageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The saved page: one HTML file (or MHTML); zip formats are refused.")
    url = serializers.CharField(trim_whitespace=True, help_text="The address the page was saved from.")


class AnswerInJson(BaseContentNegotiation):
    """JSON whatever the client accepts: SingleFile sends `Accept: multipart/form-data`, which no
    renderer offers, and reads the answer as JSON anyway."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PageUploadView(APIView):
    authentication_classes = [HashedTokenAuthentication, BearerTokenAuthentication, SessionAuthentication]
    parser_classes = [MultiPartParser, FormParser]
    content_negotiation_class = AnswerInJson

    @extend_schema(request={"multipart/form-data": PageUploadSerializer}, responses={201: SnapshotSerializer})
    def post(self, request):
        data = PageUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        file = data.validated_data["file"]
        upload = uploads.read_upload(file, file.name or "")
        snapshot = uploads.page_upload(owner=request.user, url=data.validated_data["url"], upload=upload)
        body = SnapshotSerializer(snapshot, context={"request": request}).data
        return Response({**body, "link": snapshot.link_id}, status=status.HTTP_201_CREATED)
