"""Examples the OpenAPI schema shows, and the problem answers every endpoint may give."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from ..serializers.common import ProblemSerializer

CLIENT_INPUT_EXAMPLE = {
    "documentType": "CC",
    "documentNumber": "1020304050",
    "name": "Ana María Pérez",
    "email": "ana.perez@example.com",
    "phone": "+57 300 123 4567",
    "city": "Bogotá",
    "adviserUserProjectId": "HV-001",
}

CLIENT_EXAMPLE = {
    "id": 12,
    "documentType": "CC",
    "documentNumber": "1020304050",
    "name": "Ana María Pérez",
    "email": "ana.perez@example.com",
    "phone": "+573001234567",
    "city": "Bogotá",
    "segment": None,
    "status": "active",
    "portfolioType": "current",
    "claimCategory": "none",
    "contactability": "contactable",
    "contactAlert": "none",
    "adviserUserProjectId": "HV-001",
    "adviserName": "Helena Vargas",
    "supervisorUserProjectId": None,
    "situation": 70,
    "situationLabel": "Finalizado",
    "balance": "0.00",
    "customVariables": {},
    "deletedAt": None,
    "createdAt": "2026-03-02T10:15:00-05:00",
    "updatedAt": "2026-03-02T10:15:00-05:00",
}

PROBLEM_EXAMPLE = {
    "type": "urn:moonflow:problem:invalid",
    "title": "Solicitud inválida",
    "status": 400,
    "detail": "Revise los campos señalados.",
    "errors": [{"field": "documentNumber",
                "message": "Número de documento «12»: debe tener entre 3 y 10 dígitos."}],
}


PROBLEM = "application/problem+json"


def _problem(description: str, status: int, code: str, detail: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description, examples=[
        OpenApiExample(description, response_only=True, status_codes=[str(status)], value={
            "type": f"urn:moonflow:problem:{code}", "title": description, "status": status,
            "detail": detail})])


PROBLEM_RESPONSES = {
    (400, PROBLEM): OpenApiResponse(ProblemSerializer, description="Invalid request", examples=[
        OpenApiExample("Invalid field", value=PROBLEM_EXAMPLE, response_only=True,
                       status_codes=["400"])]),
    (401, PROBLEM): _problem("Not authenticated", 401, "unauthenticated",
                  "La clave de API no es válida o fue revocada."),
    (404, PROBLEM): _problem("Not found", 404, "not-found", "No existe o no está a su alcance."),
    (429, PROBLEM): _problem("Too many requests", 429, "rate-limited",
                  "Superó el límite de solicitudes de esta clave. Espere 12 segundos."),
}

REUSED_KEY = {(422, PROBLEM): _problem(
    "Idempotency-Key reused", 422, "idempotency-key-reused",
    "Esta Idempotency-Key ya se usó con otra solicitud: use una clave nueva para una "
    "solicitud distinta.")}
IN_RECYCLE_BIN = {(409, PROBLEM): _problem(
    "Client in the recycle bin", 409, "client-in-recycle-bin",
    "El cliente está en la papelera: recupérelo antes de modificarlo.")}
MAY_NOT_IMPORT = {(403, PROBLEM): _problem(
    "Forbidden", 403, "forbidden",
    "Solo los administradores y los supervisores que ven toda la cartera importan clientes.")}
MAY_NOT_MANAGE = {(403, PROBLEM): _problem(
    "Forbidden", 403, "forbidden", "Esta clave no puede hacer esta operación.")}
