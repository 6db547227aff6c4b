from django.db import connection
from django.shortcuts import redirect
from django.views.decorators.http import require_POST


@require_POST
def rename_project(request, project_id):
    new_name = request.POST.get("name", "").strip()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_project SET name = '" + new_name + "' WHERE id = %s" % project_id
        )
    return redirect("project-detail", project_id=project_id)
