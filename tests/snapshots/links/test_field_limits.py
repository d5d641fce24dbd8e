"""The page form and the API accept the same input for each link field, and store the same cut."""

from __future__ import annotations

import pytest
from django.urls import reverse

from snapshots.models import (
    DESCRIPTION_INPUT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    TITLE_INPUT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Link,
)

pytestmark = pytest.mark.django_db


def _save_by_form(client, **fields) -> int:
    response = client.post(reverse("snapshots:link_add"), {"url": "https://example.com/form", **fields})
    return 302 if response.status_code == 302 else 400


def _save_by_api(api, **fields) -> int:
    return api.post(reverse("api_links"), {"url": "https://example.com/api", **fields}, format="json").status_code


def test_a_title_at_the_input_cap_is_accepted_by_both_and_cut_to_what_is_stored(owner_client, owner_api, owner):
    # The page form refused anything over 2,000 characters before its cap became the API's.
    title = "题" * TITLE_INPUT_MAX_LENGTH
    assert _save_by_form(owner_client, title=title) == 302
    assert _save_by_api(owner_api, title=title) == 201
    stored = list(Link.objects.filter(owner=owner).values_list("title", flat=True))
    assert len(stored) == 2 and all(len(t) == TITLE_MAX_LENGTH for t in stored)


def test_a_title_over_the_input_cap_is_refused_by_both(owner_client, owner_api):
    title = "x" * (TITLE_INPUT_MAX_LENGTH + 1)
    assert _save_by_form(owner_client, title=title) == 400
    assert _save_by_api(owner_api, title=title) == 400
    assert not Link.objects.exists()


def test_a_long_description_is_cut_the_same_way_by_both(owner_client, owner_api, owner):
    description = "d" * DESCRIPTION_INPUT_MAX_LENGTH
    assert _save_by_form(owner_client, description=description) == 302
    assert _save_by_api(owner_api, description=description) == 201
    lengths = {len(d) for d in Link.objects.filter(owner=owner).values_list("description", flat=True)}
    assert lengths == {DESCRIPTION_MAX_LENGTH}
    assert _save_by_form(owner_client, description=description + "d") == 400
    assert _save_by_api(owner_api, description=description + "d") == 400
