from django.http import HttpResponse

from .auth import EDITORS, workspace_view


@workspace_view(*EDITORS)
def dashboard(request):
    return HttpResponse("dashboard")
