// A generic FHIR client (fhir-kit-client) pages through a patient's Observations on a live
// Vigil hub, following the Bundles' `next` links, and validates every page.
// Usage: VIGIL_FHIR=https://localhost:PORT/fhir VIGIL_TOKEN=... NODE_EXTRA_CA_CERTS=ca.crt
//        node page.mjs PATIENT PAGE_SIZE [SORT] [MAX_PAGES]
// Prints a JSON summary: pages, entries, distinct ids, whether effective times are in the
// order asked for (SORT: date, the default, or -date), every id in the order seen, and the
// validators' problems. Stops after MAX_PAGES (default 100,000): a client that loops ends.
import { createRequire } from 'node:module';
import { Client } from 'fhir-kit-client';

const { validateAll } = createRequire(import.meta.url)('./validate.js');

async function main() {
  const [patient, count, sort = 'date', maxPages = '100000'] = process.argv.slice(2);
  const client = new Client({
    baseUrl: process.env.VIGIL_FHIR,
    customHeaders: { Authorization: `Bearer ${process.env.VIGIL_TOKEN}` },
  });
  const ids = [];
  let pages = 0;
  let ordered = true;
  let last = null;
  const problems = [];
  let bundle = await client.search({
    resourceType: 'Observation',
    searchParams: { patient, _count: count, _sort: sort },
  });
  while (bundle && pages < Number(maxPages)) {
    pages += 1;
    problems.push(...validateAll([bundle]));
    for (const e of bundle.entry || []) {
      ids.push(e.resource.id);
      const t = Date.parse(e.resource.effectiveDateTime);
      if (last !== null && (sort === '-date' ? t > last : t < last)) ordered = false;
      last = t;
    }
    bundle = (await client.nextPage({ bundle })) || null;
  }
  const distinct = new Set(ids).size;
  console.log(JSON.stringify({
    pages, entries: ids.length, distinct, ascending: ordered, ordered, ended: !bundle, ids,
    problems,
  }));
}

main().catch((err) => {
  console.error(err && err.response ? JSON.stringify(err.response.data) : err);
  process.exit(1);
});
