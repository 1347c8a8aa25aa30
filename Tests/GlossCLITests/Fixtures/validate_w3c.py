"""Checks a `gloss export --format w3c` file against the W3C Web Annotation test suite's schemas
(w3c-annotation-schemas/, beside this script; see its README).

    python3 validate_w3c.py EXPORT.jsonld

Prints one JSON object: how many annotations were checked, every MUST failure (annotation id,
assertion file, message), the collection's and its page's MUST failures, and for each SHOULD
and MAY assertion of the optional manifests how many annotations pass it. Exits 1 when any MUST
fails, 2 when the checker itself cannot run as it must (jsonschema or rfc3987 missing: without
rfc3987 the "format": "uri" checks would silently pass everything).
"""
import json
import pathlib
import sys

try:
    import jsonschema
    import rfc3987  # noqa: F401  (jsonschema's "uri" format check uses it when installed)
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4
except ImportError as error:
    print(f"validate_w3c.py: {error}: pip install jsonschema rfc3987", file=sys.stderr)
    sys.exit(2)

ROOT = pathlib.Path(__file__).parent / "w3c-annotation-schemas"
REGISTRY = Registry().with_resources(
    (p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT4))
    for p in (ROOT / "definitions").glob("*.json"))


def assertions(manifest):
    """The assertion schemas a manifest lists, with their validators."""
    found = []
    for entry in json.loads((ROOT / manifest).read_text())["assertions"]:
        # A manifest may nest a list of alternatives ("one of"); the suite's MUST lists do not.
        for relative in (entry if isinstance(entry, list) else [entry]):
            schema = json.loads((ROOT / relative).read_text())
            validator = jsonschema.Draft4Validator(
                schema, registry=REGISTRY, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
            found.append((relative, schema, validator))
    return found


def main():
    document = json.loads(pathlib.Path(sys.argv[1]).read_text())
    page = document.get("first") or {"items": []}
    items = page.get("items", [])
    musts = assertions("annotations/annotationMusts.test")
    failures = []
    for item in items:
        for relative, schema, validator in musts:
            if not validator.is_valid(item):
                failures.append({"annotation": item.get("id"), "assertion": relative, "message": schema.get("errorMessage")})
    collection_failures = [
        relative for relative, _, validator in assertions("collections/collectionMusts.test") if not validator.is_valid(document)]
    # An embedded page is checked with the context its collection gives it (pageContextValidated).
    standalone_page = dict(page, **{"@context": document.get("@context")})
    page_failures = [
        relative for relative, _, validator in assertions("collections/pages/pageMusts.test")
        if not validator.is_valid(standalone_page)] if items else []
    optional = {}
    for manifest in ("annotations/annotationOptionals.test", "annotations/annotationsAgentOptionals.test"):
        for relative, schema, validator in assertions(manifest):
            passed = sum(1 for item in items if validator.is_valid(item))
            optional[relative] = {"type": schema.get("assertionType"), "passed": passed, "of": len(items)}
    print(json.dumps({
        "annotations": len(items), "musts_per_annotation": len(musts), "must_failures": failures,
        "collection_must_failures": collection_failures, "page_must_failures": page_failures, "optional": optional,
    }, indent=1, sort_keys=True))
    sys.exit(1 if failures or collection_failures or page_failures else 0)


main()
