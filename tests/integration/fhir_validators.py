"""The FHIR validators of tests/fhir (two independent ones, run by node) over resources a test
collected."""

import json
import os
import subprocess

FHIR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fhir")


def assert_valid(test, resources, path):
    """Writes `resources` (a list) to `path` and has both validators check each: none may find
    a problem."""
    with open(path, "w") as f:
        json.dump(resources, f)
    out = subprocess.run(["node", "validate.js", path], cwd=FHIR_DIR, capture_output=True,
                         text=True, timeout=120)
    test.assertEqual(out.returncode, 0, out.stdout + out.stderr)
    test.assertIn(f"validated {len(resources)} resources: 0 problems", out.stdout)
