from .views import urlpatterns  # noqa: F401  (the views list their routes)

app_name = "portfolios"
