from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("stories", views.story_list, name="stories"),
    path("stories/<str:key>", views.story_detail, name="story"),
    path("stories/<str:key>/comments", views.story_comments, name="story-comments"),
    path("moderation/queue", views.moderation_queue, name="queue"),
    path("moderation/comments/<int:comment_id>/decisions", views.moderation_decision, name="decisions"),
    path("openapi.json", views.openapi, name="openapi"),
]
