#!/usr/bin/python3
"""Checks flowfit output folders are valid Frictionless tabular data packages.

The descriptor is validated with python3-jsonschema against
tests/data/datapackage_schema/tabular-data-package.schema.json; then every resource's data are
checked against its Table Schema the way a Frictionless validator does: the header equals the
field names, each value parses as its field's type (empty = missing, allowed unless required),
string patterns match, primary keys are unique and complete, and the sha256 hash and byte
count match the file.

Usage: validate_datapackage.py SCHEMA.json PACKAGE_DIR...
"""
import csv
import hashlib
import json
import os
import re
import sys

import jsonschema

TRUE = {"true", "True", "TRUE", "1"}
FALSE = {"false", "False", "FALSE", "0"}


def check_value(field, text):
    t = field["type"]
    if t == "integer":
        int(text)
    elif t == "number":
        float(text)  # NaN/INF are valid Table Schema numbers too; flowfit writes missing instead
    elif t == "boolean":
        if text not in TRUE | FALSE:
            raise ValueError("not a boolean")
    pattern = field.get("constraints", {}).get("pattern")
    if pattern and not re.fullmatch(pattern, text):
        raise ValueError("does not match " + pattern)


def check_package(schema, folder):
    with open(os.path.join(folder, "datapackage.json"), encoding="utf-8") as f:
        descriptor = json.load(f)
    jsonschema.validate(descriptor, schema)
    for res in descriptor["resources"]:
        path = os.path.join(folder, res["path"])
        data = open(path, "rb").read()
        if "sha256:" + hashlib.sha256(data).hexdigest() != res["hash"]:
            raise AssertionError(f"{path}: sha256 differs from the descriptor")
        if len(data) != res["bytes"]:
            raise AssertionError(f"{path}: size differs from the descriptor")
        fields = res["schema"]["fields"]
        missing = set(res["schema"].get("missingValues", [""]))
        key = res["schema"].get("primaryKey", [])
        key = [key] if isinstance(key, str) else key
        rows = list(csv.reader(data.decode("utf-8").splitlines()))
        if rows[0] != [f["name"] for f in fields]:
            raise AssertionError(f"{path}: header {rows[0]} differs from the schema fields")
        index = {f["name"]: i for i, f in enumerate(fields)}
        seen = set()
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != len(fields):
                raise AssertionError(f"{path}:{line}: {len(row)} fields")
            for f, text in zip(fields, row):
                if text in missing:
                    if f.get("constraints", {}).get("required") or f["name"] in key:
                        raise AssertionError(f"{path}:{line}: {f['name']} is required")
                    continue
                try:
                    check_value(f, text)
                except ValueError as e:
                    raise AssertionError(f"{path}:{line}: {f['name']}={text!r}: {e}")
            k = tuple(row[index[n]] for n in key)
            if key and k in seen:
                raise AssertionError(f"{path}:{line}: primary key {k} repeats")
            seen.add(k)
    return len(descriptor["resources"])


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    for folder in sys.argv[2:]:
        n = check_package(schema, folder)
        print(f"{folder}: valid data package ({n} resources)")


if __name__ == "__main__":
    main()
