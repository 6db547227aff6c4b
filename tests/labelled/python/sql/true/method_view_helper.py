from flask import request
from flask.views import MethodView

from .db import db


class ArticleSearch(MethodView):
    def _where(self, author):
        return "WHERE author = '%s' AND published" % author

    def get(self):
        author = request.values.get("author", "")
        sql = "SELECT id, title FROM articles " + self._where(author)
        cur = db.cursor()
        cur.execute(sql)
        return {"articles": cur.fetchall()}
