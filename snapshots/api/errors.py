"""API errors are always JSON: Django's ValidationError from services becomes a 400 with field errors,
the link save limits a 429 with Retry-After."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from snapshots.links.services import LinkExists, LinkRateExceeded


def exception_handler(exc, context):
    if isinstance(exc, LinkExists):
        response = drf_exception_handler(exceptions.ValidationError(exc.message_dict), context)
        response.data["existing_id"] = exc.existing.pk
        return response
    if isinstance(exc, LinkRateExceeded):
        exc = exceptions.Throttled(wait=exc.retry_after, detail=str(exc))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
