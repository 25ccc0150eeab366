from django.urls import path

from . import export, views

app_name = "reader"
urlpatterns = [
    path("stories/<str:key>/comments/", views.thread, name="thread"),
    path("stories/<str:key>/comments/fragment", views.thread_fragment, name="thread-fragment"),
    path("receipts/<str:token>/", views.receipt, name="receipt"),
    path("receipts/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("receipts/<str:token>/export.json", export.receipt_export, name="export"),
]
