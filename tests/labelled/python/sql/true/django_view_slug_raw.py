from django.shortcuts import render

from .models import Article


def article_detail(request, slug):
    articles = Article.objects.raw(
        f"SELECT * FROM blog_article WHERE slug = '{slug}' AND published = true"
    )
    return render(request, "blog/article.html", {"article": list(articles)[0]})
