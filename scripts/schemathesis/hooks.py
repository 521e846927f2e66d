"""Schemathesis hooks for the blog (loaded through SCHEMATHESIS_HOOKS).

Request bodies are tested as JSON only. The document offers each body as JSON, a urlencoded
form and multipart (drf-spectacular lists every parser's media type), but a form carries
strings only: schemathesis encodes `false` as the form value "false", which DRF (and the
blog) rightly read as the string, and then reports the request as a schema-violating one
that was accepted. Form and multipart bodies are covered by the fuzz targets instead
(fuzz/README.md).
"""
import schemathesis


@schemathesis.hook
def before_load_schema(context, raw_schema):
    for path in raw_schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content")
            if content and "application/json" in content:
                for media_type in list(content):
                    if media_type != "application/json":
                        del content[media_type]
