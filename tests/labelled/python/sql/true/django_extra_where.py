from django.http import JsonResponse

from .models import Book


def search_books(request):
    term = request.GET.get("q", "")
    books = Book.objects.extra(where=["title ILIKE '%%" + term + "%%'"])
    return JsonResponse({"results": list(books.values("id", "title"))})
