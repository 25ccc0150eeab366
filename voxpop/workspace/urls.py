from django.urls import path

from . import auth, dashboard, editorial, scoring_admin, views, webhooks_admin

app_name = "workspace"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("sign-in/", auth.sign_in, name="sign-in"),
    path("sign-out/", auth.sign_out, name="sign-out"),
    path("comments/<int:comment_id>/", views.comment_detail, name="comment"),
    path("comments/<int:comment_id>/decide", views.decide, name="decide"),
    path("comments/<int:comment_id>/restrict", views.restrict, name="restrict"),
    path("comments/<int:comment_id>/route", views.route, name="route"),
    path("comments/<int:comment_id>/erase", views.erase, name="erase"),
    path("restrictions/", views.restrictions, name="restrictions"),
    path("restrictions/<int:restriction_id>/lift", views.unrestrict, name="unrestrict"),
    path("undo", views.undo, name="undo"),
    path("bulk", views.bulk, name="bulk"),
    path("audit/", views.audit, name="audit"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("stories/", editorial.stories, name="stories"),
    path("stories/<str:key>/", editorial.story, name="story"),
    path("stories/<str:key>/protected/", scoring_admin.protected, name="protected"),
    path("rules/<str:desk>/<str:language>/", editorial.rules, name="rules"),
    path("words/<str:desk>/<str:language>/", scoring_admin.words, name="words"),
    path("webhooks/", webhooks_admin.endpoints, name="webhooks"),
    path("webhooks/<int:endpoint_id>/", webhooks_admin.endpoint, name="webhook"),
    path("webhooks/<int:endpoint_id>/retry", webhooks_admin.retry, name="webhook-retry"),
]
