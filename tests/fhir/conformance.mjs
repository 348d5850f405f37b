// Issue #19's items driven through a generic FHIR client (fhir-kit-client), as a new user of a
// third-party client would hit them, on a live Vigil hub holding heart rate, SpO2 and blood
// glucose Observations of patient p-001 (the signed-in patient). Every answer, error replies
// included, is validated with both FHIR validators (validate.js).
// Usage: VIGIL_FHIR=https://localhost:PORT/fhir VIGIL_TOKEN=... NODE_EXTRA_CA_CERTS=ca.crt
//        node conformance.mjs
// Prints a JSON report: each check with ok and detail, and the validators' problems.
import { createRequire } from 'node:module';
import { Client } from 'fhir-kit-client';

const { validateAll } = createRequire(import.meta.url)('./validate.js');

const client = new Client({
  baseUrl: process.env.VIGIL_FHIR,
  customHeaders: { Authorization: `Bearer ${process.env.VIGIL_TOKEN}` },
});
const answers = [];
const checks = [];

function keep(resource) {
  if (resource && resource.resourceType) answers.push(resource);
  return resource;
}

// The answer to a call that must fail: its status and OperationOutcome.
async function refusal(call) {
  try {
    keep(await call());
    return { status: 200, outcome: null };
  } catch (err) {
    const data = err.response ? err.response.data : null;
    keep(data);
    return { status: err.response ? err.response.status : 0, outcome: data };
  }
}

async function check(name, body) {
  try {
    const detail = await body();
    checks.push({ name, ok: detail === true, detail: detail === true ? '' : String(detail) });
  } catch (err) {
    const data = err.response ? JSON.stringify(err.response.data) : String(err);
    checks.push({ name, ok: false, detail: `threw: ${data}` });
  }
}

const search = async (searchParams, options) =>
  keep(await client.search({ resourceType: 'Observation', searchParams: { patient: 'p-001', ...searchParams }, options }));
const matches = (bundle) => (bundle.entry || []).filter((e) => e.search.mode === 'match');
const linkOf = (bundle, relation) => (bundle.link || []).find((l) => l.relation === relation);

await check('the CapabilityStatement claims no OAuth and lists the search parameters', async () => {
  const cap = keep(await client.capabilityStatement());
  const rest = cap.rest[0];
  const obs = rest.resource.find((r) => r.type === 'Observation');
  const names = obs.searchParam.map((p) => p.name);
  if (rest.security.service) return 'security.service is declared';
  for (const n of ['code', 'category', 'date', '_lastUpdated', '_id', '_summary', '_elements']) {
    if (!names.includes(n)) return `Observation does not declare ${n}`;
  }
  return obs.searchInclude.includes('Observation:device') || 'no searchInclude';
});

await check('code=2708-6 finds every SpO2 Observation (any coding)', async () => {
  const bundle = await search({ code: '2708-6', _total: 'accurate' });
  const all = matches(bundle);
  if (bundle.total !== 6 || all.length !== 6) return `total ${bundle.total}, ${all.length} entries`;
  return all.every((e) => e.resource.code.coding.some((c) => c.code === '2708-6')) || 'a match lacks 2708-6';
});

await check('_count=0 is the count with no next link; a huge _count is clamped', async () => {
  const zero = await search({ _count: 0 });
  if (zero.total !== 15 || zero.entry || linkOf(zero, 'next')) return JSON.stringify(zero.link);
  const huge = await search({ _count: 100000 });
  return matches(huge).length === 15 || `${matches(huge).length} entries`;
});

await check('date takes FHIR forms (year, month, day, minute; eq, ne, sa, eb)', async () => {
  const first = matches(await search({ _count: 1 }))[0].resource.effectiveDateTime;
  const [day, minute, year] = [first.slice(0, 10), first.slice(0, 16), first.slice(0, 4)];
  const total = async (date) => (await search({ date, _summary: 'count' })).total;
  const everything = await total(`ge${Number(year) - 1}`);
  const got = [await total(year), await total(first.slice(0, 7)), await total(`eq${day}`),
    await total(`ne${day}`), await total(`sa${Number(year) - 1}`), await total(`eb${day}`)];
  const want = [everything, everything, everything, 0, everything, 0];
  if (JSON.stringify(got) !== JSON.stringify(want)) return `${got} instead of ${want}`;
  return (await total(minute)) > 0 || 'a minute found nothing';
});

await check('_summary=count, _total=accurate, _id, category, _lastUpdated', async () => {
  if ((await search({ _summary: 'count' })).total !== 15) return '_summary=count';
  const two = matches(await search({ _count: 2 })).map((e) => e.resource.id);
  const byId = matches(await search({ _id: two.join(',') })).map((e) => e.resource.id);
  if (byId.sort().join() !== two.sort().join()) return `_id gave ${byId}`;
  if ((await search({ category: 'laboratory', _summary: 'count' })).total !== 3) return 'laboratory';
  if ((await search({ category: 'vital-signs', _summary: 'count' })).total !== 12) return 'vital-signs';
  if ((await search({ _lastUpdated: 'lt2020', _summary: 'count' })).total !== 0) return '_lastUpdated lt';
  return (await search({ _lastUpdated: 'ge2020', _summary: 'count' })).total === 15 || '_lastUpdated ge';
});

await check('_elements returns a SUBSETTED resource with what was asked', async () => {
  const [first] = matches(await search({ _elements: 'valueQuantity', code: '8867-4', _count: 1 }));
  const r = first.resource;
  if (!r.valueQuantity || r.effectiveDateTime || r.subject) return Object.keys(r).join();
  return r.meta.tag.some((t) => t.code === 'SUBSETTED') || 'no SUBSETTED tag';
});

await check('_include=Observation:device and Observation:patient add them once', async () => {
  const bundle = await search({ _include: ['Observation:device', 'Observation:patient'], _count: 100 });
  const included = bundle.entry.filter((e) => e.search.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
  return included.sort().join() === 'Device/dev-0001,Device/dev-0003,Patient/p-001' || included.join();
});

await check('an unknown parameter: a warning under lenient handling, 400 under strict', async () => {
  const lenient = await search({ colour: 'red', _count: 1 });
  const outcome = lenient.entry.find((e) => e.search.mode === 'outcome');
  if (!outcome || !outcome.resource.issue[0].diagnostics.includes('colour')) return 'no outcome entry';
  if (linkOf(lenient, 'self').url.includes('colour')) return 'the self link names the ignored parameter';
  const strict = await refusal(() => search({ colour: 'red' }, { headers: { Prefer: 'handling=strict' } }));
  return (strict.status === 400 && strict.outcome.resourceType === 'OperationOutcome') || `strict: ${strict.status}`;
});

await check('Observation.device resolves to a Device; a typo is 404 (not 403)', async () => {
  const [first] = matches(await search({ _count: 1 }));
  const device = keep(await client.resolve({ reference: first.resource.device.reference }));
  if (device.resourceType !== 'Device') return device.resourceType;
  const typo = await refusal(() => client.read({ resourceType: 'Observation', id: 'dev-0001.999999.0' }));
  return (typo.status === 404 && typo.outcome.resourceType === 'OperationOutcome') || `typo: ${typo.status}`;
});

await check('GET Patient? lists the patient their own record', async () => {
  const bundle = keep(await client.search({ resourceType: 'Patient', searchParams: {} }));
  return (bundle.entry.map((e) => e.resource.id).join() === 'p-001') || JSON.stringify(bundle);
});

await check('AuditEvent pages with _count and next links to the end, each entry once', async () => {
  let bundle = keep(await client.search({ resourceType: 'AuditEvent', searchParams: { patient: 'p-001', _count: 5 } }));
  const ids = [];
  let pages = 0;
  while (bundle && pages < 1000) {
    pages += 1;
    if ((bundle.entry || []).length > 5) return `a page of ${bundle.entry.length}`;
    ids.push(...(bundle.entry || []).map((e) => e.resource.id));
    bundle = keep((await client.nextPage({ bundle })) || null);
  }
  return (ids.length > 5 && new Set(ids).size === ids.length && !bundle) || `${ids.length} ids, ${pages} pages`;
});

await check('_format=xml is 406 with an OperationOutcome', async () => {
  const xml = await refusal(() => search({ _format: 'xml' }));
  return (xml.status === 406 && xml.outcome.resourceType === 'OperationOutcome') || `${xml.status}`;
});

await check('a Consent with an element the policy cannot enforce is refused by name, unchanged', async () => {
  const before = keep(await client.read({ resourceType: 'Consent', id: 'p-001' }));
  const later = JSON.parse(JSON.stringify(before));
  later.provision.period = { start: '2027-01-01' };
  const refused = await refusal(() => client.update({ resourceType: 'Consent', id: 'p-001', body: later }));
  if (refused.status !== 400 || !JSON.stringify(refused.outcome).includes('provision.period')) {
    return `${refused.status} ${JSON.stringify(refused.outcome)}`;
  }
  const after = keep(await client.read({ resourceType: 'Consent', id: 'p-001' }));
  return JSON.stringify(after.provision) === JSON.stringify(before.provision) || 'the stored consent changed';
});

console.log(JSON.stringify({ checks, validated: answers.length, problems: validateAll(answers) }));
