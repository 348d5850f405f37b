// A generic FHIR client (fhir-kit-client) pages through a patient's Observations on a live
// Vigil hub, following the Bundles' `next` links, and validates every page.
// Usage: VIGIL_FHIR=https://localhost:PORT/fhir VIGIL_TOKEN=... NODE_EXTRA_CA_CERTS=ca.crt
//        node page.mjs PATIENT PAGE_SIZE
// Prints a JSON summary: pages, entries, distinct ids, whether effective times ascend.
import { createRequire } from 'node:module';
import { Client } from 'fhir-kit-client';

const { validateAll } = createRequire(import.meta.url)('./validate.js');

async function main() {
  const [patient, count] = process.argv.slice(2);
  const client = new Client({
    baseUrl: process.env.VIGIL_FHIR,
    customHeaders: { Authorization: `Bearer ${process.env.VIGIL_TOKEN}` },
  });
  const ids = new Set();
  let pages = 0;
  let entries = 0;
  let ascending = true;
  let last = '';
  const problems = [];
  let bundle = await client.search({
    resourceType: 'Observation',
    searchParams: { patient, _count: count, _sort: 'date' },
  });
  while (bundle) {
    pages += 1;
    problems.push(...validateAll([bundle]));
    for (const e of bundle.entry || []) {
      entries += 1;
      ids.add(e.resource.id);
      if (e.resource.effectiveDateTime < last) ascending = false;
      last = e.resource.effectiveDateTime;
    }
    bundle = (await client.nextPage({ bundle })) || null;
  }
  console.log(JSON.stringify({ pages, entries, distinct: ids.size, ascending, problems }));
}

main().catch((err) => {
  console.error(err && err.response ? JSON.stringify(err.response.data) : err);
  process.exit(1);
});
