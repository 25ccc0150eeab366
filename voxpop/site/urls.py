from django.urls import path

from . import metrics, views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("demo/articles/<str:key>/", views.article, name="article"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
