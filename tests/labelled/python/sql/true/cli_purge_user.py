#!/usr/bin/env python3
"""Remove a user and their sessions: purge_user.py <email>"""
import sqlite3
import sys


def main():
    email = sys.argv[1]
    conn = sqlite3.connect("/var/lib/app/app.db")
    conn.execute("DELETE FROM sessions WHERE user_email = '%s'" % email)
    conn.execute("DELETE FROM users WHERE email = '%s'" % email)
    conn.commit()


if __name__ == "__main__":
    main()
