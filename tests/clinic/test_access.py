from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from tests.urlwalk import PUBLIC, all_urls


def test_the_url_walk_sees_the_whole_url_conf():
    names = {url.name for url in all_urls()}
    assert {"home", "scheduling:board", "admin:index", "api-schema", "location-list"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in all_urls() if u.name not in PUBLIC], ids=str)
def test_anonymous_visitors_are_sent_to_login_or_refused(client, url):
    response = client.get(url.path)
    if url.is_api:
        assert response.status_code in (401, 403), f"{url.path} answered {response.status_code}"
    else:
        assert response.status_code == 302, f"{url.path} answered {response.status_code}"
        target = urlparse(response["Location"]).path
        assert target in (reverse(settings.LOGIN_URL), reverse("admin:login")), target


@pytest.mark.django_db
def test_the_api_refuses_an_anonymous_caller_with_401_and_the_common_error_shape(client):
    response = client.get("/api/v1/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "errors": {}}
