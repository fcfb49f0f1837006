from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from ..authentication import BearerKeyAuthentication
from ..permissions import HasApiKey
from ..throttling import ApiKeyRateThrottle


class ApiView(APIView):
    """Every endpoint: a Bearer API key, its rate limit, problems for errors (settings)."""

    authentication_classes = [BearerKeyAuthentication]
    permission_classes = [HasApiKey]
    throttle_classes = [ApiKeyRateThrottle]

    @property
    def member(self):
        return self.request.auth.member


class UnknownEndpointView(ApiView):
    """Any other URL under /api/: 404 as a problem (after the key, like every endpoint)."""

    schema = None  # not an endpoint of the schema

    def _not_found(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = _not_found
