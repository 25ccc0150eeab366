from django.urls import path

from voxpop.embed import views as embed_views

from . import editorial_views, moderation_views, proof_views, views

app_name = "api"
urlpatterns = [
    path("stories", views.story_list, name="stories"),
    path("stories/<str:key>", views.story_detail, name="story"),
    path("stories/<str:key>/comments", views.story_comments, name="story-comments"),
    path("moderation/queue", views.moderation_queue, name="queue"),
    path("moderation/comments/<int:comment_id>/decisions", views.moderation_decision, name="decisions"),
    path("moderation/comments", moderation_views.comment_list, name="comments"),
    path("moderation/comments/<int:comment_id>", moderation_views.comment_detail, name="comment"),
    path("moderation/comments/<int:comment_id>/route", moderation_views.route, name="route"),
    path("moderation/undo", moderation_views.undo, name="undo"),
    path("moderation/bulk", moderation_views.bulk, name="bulk"),
    path("moderation/restrictions", moderation_views.restrictions, name="restrictions"),
    path("moderation/restrictions/<int:restriction_id>/lift", moderation_views.restriction_lift,
         name="restriction-lift"),
    path("moderation/audit", moderation_views.audit, name="audit"),
    path("moderation/dashboard", editorial_views.dashboard, name="dashboard"),
    path("moderation/stories/<str:key>/settings", editorial_views.story_settings, name="story-settings"),
    path("moderation/stories/<str:key>/protected-names", editorial_views.protected_name_list,
         name="protected-names"),
    path("moderation/stories/<str:key>/protected-names/<int:name_id>", editorial_views.protected_name_detail,
         name="protected-name"),
    path("moderation/desks/<str:desk>/rules/<str:language>", editorial_views.rules, name="rules"),
    path("moderation/desks/<str:desk>/words/<str:language>", editorial_views.words, name="words"),
    path("counts", embed_views.comment_counts, name="counts"),
    path("proof-of-work", proof_views.proof_of_work, name="proof-of-work"),
    path("openapi.json", views.openapi, name="openapi"),
]
