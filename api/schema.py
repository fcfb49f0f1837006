"""What drf-spectacular needs to know about the API's own pieces (loaded by ApiConfig)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An API key from Ajustes → Integraciones → API: "
                               "`Authorization: Bearer mf_…`"}
