import sqlite3

conn = sqlite3.connect("library.db")

while True:
    title = input("Title to look up (blank to quit): ")
    if not title:
        break
    query = "SELECT author, year FROM books WHERE title = '" + title + "'"
    for author, year in conn.execute(query):
        print(f"{author} ({year})")
