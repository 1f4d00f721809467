#!/usr/bin/env python3
"""Checks the web app's OpenAPI document, Sources/PromptLabWeb/Resources/openapi.json.

    pip install openapi-spec-validator
    python3 Tests/api/check_openapi.py [--document PATH] [--sample SCHEMA FILE ...]

Validates the document against the OpenAPI 3.1 schema, checks that it describes exactly the
endpoints of the web app's JSON API with the error responses PromptLab sends, and lists the
operations. Each `--sample SCHEMA FILE` also validates a JSON document (such as a `--format json`
output or a response body saved by a test) against `#/components/schemas/SCHEMA`.
Exits with status 1 when anything is wrong.
"""
import argparse
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_DOCUMENT = ROOT / "Sources/PromptLabWeb/Resources/openapi.json"

# The JSON API as the design fixes it: method, path, the 200 response's schema (None: not JSON).
ENDPOINTS = {
    ("get", "/api/v1/prompts"): "PromptListOutput",
    ("get", "/api/v1/prompts/{name}"): "ShowOutput",
    ("get", "/api/v1/prompts/{name}/log"): "PromptLogOutput",
    ("get", "/api/v1/prompts/{name}/diff"): "DiffOutput",
    ("post", "/api/v1/prompts/{name}/render"): "RenderOutput",
    ("get", "/api/v1/prompts/{name}/labels"): "LabelListOutput",
    ("post", "/api/v1/prompts/{name}/labels"): "LabelChangeOutput",
    ("post", "/api/v1/prompts/{name}/rollback"): "RollbackOutput",
    ("get", "/api/v1/runs"): "RunListOutput",
    ("get", "/api/v1/runs/{id}/report"): "Report",
    ("get", "/api/v1/runs/{id}/cases"): "CaseViewOutput",
    ("get", "/api/v1/runs/{id}/cases/{case_id}"): "CaseDetailOutput",
    ("get", "/api/v1/runs/{id}/events"): None,
    ("get", "/api/v1/runs/{id}/progress"): "RunProgressOutput",
    ("get", "/api/v1/compare"): "RunComparison",
    ("get", "/api/v1/runs/{id}/review"): "ReviewItemOutput",
    ("post", "/api/v1/runs/{id}/review"): "ReviewVerdictOutput",
    ("get", "/api/v1/experiments/{name}/history"): "ExperimentHistoryOutput",
    ("get", "/api/v1/openapi.json"): None,
}

# The serving API for applications (docs/production-ab.md): its own conventions (OpenAI's error
# object on chat completions, a JSON body that takes unknown OpenAI fields), so only its operations,
# ids, success documents and 401 are checked.
SERVING = {
    ("get", "/v1/prompts/{name}"): "ServedPromptOutput",
    ("post", "/v1/prompts/{name}/resolve"): "ResolveOutput",
    ("post", "/v1/chat/completions"): "ChatCompletion",
    ("post", "/v1/feedback"): "FeedbackOutput",
    ("get", "/v1/rollouts"): "RolloutListOutput",
    ("get", "/v1/rollouts/{name}"): "RolloutStatusOutput",
    ("get", "/v1/openapi.json"): None,
}

# Error statuses every POST answers with (it needs JSON, a same-host Origin when one is sent, and a
# body of at most 1 MiB), and the POSTs that change something, which also answer 409 when the
# state moved under them.
POST_ERRORS = {"400", "401", "403", "404", "413", "415"}
WRITES = {"/api/v1/prompts/{name}/labels", "/api/v1/prompts/{name}/rollback", "/api/v1/runs/{id}/review"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def resolve(document, node):
    """Follows a local `$ref`, once."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def check(document):
    problems = []
    paths = document.get("paths", {})
    found = {(method, path) for path, item in paths.items() for method in item if method in METHODS}
    for missing in sorted((set(ENDPOINTS) | set(SERVING)) - found):
        problems.append(f"{missing[0].upper()} {missing[1]}: missing")
    for extra in sorted(found - set(ENDPOINTS) - set(SERVING)):
        problems.append(f"{extra[0].upper()} {extra[1]}: not an endpoint of the design")
    if document.get("openapi") != "3.1.0":
        problems.append("openapi must be 3.1.0")
    if document.get("servers") != [{"url": "/"}]:
        problems.append("servers must be [{url: /}] so the document works on any host")
    schemes = document.get("components", {}).get("securitySchemes", {})
    if set(schemes) != {"bearer", "cookie"}:
        problems.append("securitySchemes must be bearer and cookie")
    if {} not in document.get("security", []):
        problems.append("security must allow anonymous requests ({}): a loopback server without a token needs none")

    operation_ids = set()
    for (method, path), schema_name in sorted(ENDPOINTS.items()):
        operation = paths.get(path, {}).get(method)
        if operation is None:
            continue
        where = f"{method.upper()} {path}"
        for field in ("operationId", "summary"):
            if not operation.get(field):
                problems.append(f"{where}: no {field}")
        if operation.get("operationId") in operation_ids:
            problems.append(f"{where}: operationId {operation['operationId']} is used twice")
        operation_ids.add(operation.get("operationId"))
        for name in (segment[1:-1] for segment in path.split("/") if segment.startswith("{")):
            declared = [p for p in map(lambda p: resolve(document, p), operation.get("parameters", [])) if p.get("in") == "path"]
            if not any(p["name"] == name and p.get("required") and "schema" in p for p in declared):
                problems.append(f"{where}: path parameter {name} is not declared with a schema")
        for parameter in operation.get("parameters", []):
            if "schema" not in resolve(document, parameter):
                problems.append(f"{where}: parameter {parameter.get('name')} has no schema")
        responses = operation.get("responses", {})
        success = resolve(document, responses.get("200", {})).get("content", {})
        if schema_name is not None:
            given = success.get("application/json", {}).get("schema", {}).get("$ref")
            if given != f"#/components/schemas/{schema_name}":
                problems.append(f"{where}: 200 must be application/json {schema_name}, is {given}")
        elif path.endswith("/events") and "text/event-stream" not in success:
            problems.append(f"{where}: 200 must be text/event-stream")
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                content = resolve(document, response).get("content", {})
                if list(content) != ["application/problem+json"]:
                    problems.append(f"{where}: {status} must be application/problem+json only")
        if "401" not in responses:
            problems.append(f"{where}: no 401 (a token may be set)")
        if method == "post":
            missing = (POST_ERRORS | ({"409"} if path in WRITES else set())) - set(responses)
            if missing:
                problems.append(f"{where}: no {', '.join(sorted(missing))} response")
            body = operation.get("requestBody", {})
            schema = resolve(document, body.get("content", {}).get("application/json", {}).get("schema", {}))
            if not body.get("required") or schema.get("additionalProperties") is not False or "required" not in schema:
                problems.append(f"{where}: needs a required JSON body with additionalProperties false and required fields")

    for (method, path), schema_name in sorted(SERVING.items()):
        operation = paths.get(path, {}).get(method)
        if operation is None:
            continue
        where = f"{method.upper()} {path}"
        if not operation.get("operationId") or operation.get("operationId") in operation_ids:
            problems.append(f"{where}: no operationId, or one used twice")
        operation_ids.add(operation.get("operationId"))
        responses = operation.get("responses", {})
        if schema_name is not None:
            success = resolve(document, responses.get("200", {})).get("content", {})
            given = success.get("application/json", {}).get("schema", {}).get("$ref")
            if given != f"#/components/schemas/{schema_name}":
                problems.append(f"{where}: 200 must be application/json {schema_name}, is {given}")
            if "401" not in responses:
                problems.append(f"{where}: no 401 (API keys may be set)")

    for name, schema in document.get("components", {}).get("schemas", {}).items():
        for each in [schema] + schema.get("oneOf", []):
            unknown = set(each.get("required", [])) - set(each.get("properties", {}))
            if unknown:
                problems.append(f"schema {name}: required names unknown properties {sorted(unknown)}")
    return problems


def check_sample(document, schema_name, path):
    schemas = document["components"]["schemas"]
    if schema_name not in schemas:
        return [f"{path}: no schema {schema_name}"]
    # A schema that refers to the document's components, validated in the document's context.
    root = dict(document)
    root["$ref"] = f"#/components/schemas/{schema_name}"
    validator = Draft202012Validator(root)
    instance = json.loads(pathlib.Path(path).read_text())
    problems = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        location = "/".join(str(part) for part in error.absolute_path) or "(root)"
        problems.append(f"{path} as {schema_name}: at {location}: {error.message[:300]}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--document", default=str(DEFAULT_DOCUMENT))
    parser.add_argument("--sample", nargs=2, action="append", default=[], metavar=("SCHEMA", "FILE"))
    parser.add_argument("--quiet", action="store_true", help="print only problems")
    arguments = parser.parse_args()

    document = json.loads(pathlib.Path(arguments.document).read_text())
    problems = []
    try:
        validate(document)
    except Exception as error:  # the validator's own error types vary between versions
        problems.append(f"not a valid OpenAPI 3.1 document: {error}")
    problems += check(document)
    for schema_name, path in arguments.sample:
        problems += check_sample(document, schema_name, path)

    if not arguments.quiet:
        for path, item in document.get("paths", {}).items():
            for method, operation in item.items():
                if method in METHODS:
                    statuses = " ".join(sorted(operation.get("responses", {})))
                    print(f"{method.upper():5} {path:40} {operation.get('operationId', '?'):22} {statuses}")
        print(f"{len(document.get('components', {}).get('schemas', {}))} schemas")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
