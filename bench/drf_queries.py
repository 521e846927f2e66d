"""Counts the SQL statements the DRF reference app runs for each benchmarked request.

Run with the reference's venv python, from the reference directory, with BLOG_DB_PATH set to a
copy of its benchmark database:

    python drf_queries.py '[{"name": "list", "method": "GET", "path": "/api/articles/",
                             "auth": "", "body": ""}, ...]'

Each request goes through Django's test client (the whole middleware stack, as under gunicorn)
inside CaptureQueriesContext. `auth` is "jwt" for a request with a fresh access token (obtained
outside the capture). Prints {"name": statements, ...} as JSON.
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drf_blog.settings")
sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

LOGIN = {"email": "seed-user-00001@example.com", "password": "userpass123"}


def main():
    endpoints = json.loads(sys.argv[1])
    client = Client()
    counts = {}
    for endpoint in endpoints:
        headers = {}
        if endpoint["auth"] == "jwt":
            token = client.post("/api/token/", LOGIN, content_type="application/json").json()
            headers["HTTP_AUTHORIZATION"] = "Bearer " + token["access"]
        with CaptureQueriesContext(connection) as captured:
            if endpoint["method"] == "POST":
                response = client.post(endpoint["path"], endpoint["body"],
                                       content_type="application/json", **headers)
            else:
                response = client.get(endpoint["path"], **headers)
        if response.status_code >= 400:
            print(f"{endpoint['name']}: HTTP {response.status_code}", file=sys.stderr)
        counts[endpoint["name"]] = len(captured.captured_queries)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
