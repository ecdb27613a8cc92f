"""The mobile API, /api/v1/: assembled from each app's routers. OpenAPI 3.1 at
/api/v1/openapi.json, its docs page at /api/v1/docs (Swagger UI served by the project)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Polis API",
    version="1",
    description="API личного кабинета застрахованного ДМС для мобильного приложения.",
    urls_namespace="api-v1",
)
