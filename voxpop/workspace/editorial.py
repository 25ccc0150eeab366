from django.http import HttpResponse

from .auth import EDITORS, workspace_view


@workspace_view(*EDITORS)
def stories(request):
    return HttpResponse("stories")
