from django.http import JsonResponse

from .models import Book


def books_by_author(request):
    author = request.GET.get("author", "")
    books = Book.objects.raw(
        "SELECT id, title FROM catalog_book WHERE author_name = %s ORDER BY title", [author]
    )
    return JsonResponse({"books": [b.title for b in books]})
