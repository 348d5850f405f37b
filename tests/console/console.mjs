// The console in a real browser (Debian's Chromium through playwright-core) against a live hub
// that tests/integration/test_console.py set up: each role signs in with a live TOTP code and
// sees only what its role allows; the officer acknowledges an attack's alert and releases the
// device; a clinician's chart shows readings just ingested and the patient then sees that access;
// no CSP violation or console error on any page; axe-core finds no serious or critical
// violation; hostile names render as text; a form without its CSRF token, or from another site,
// changes nothing; the session cookie's flags. Usage: node console.mjs <config.json>
// (config: base, users {officer, clinician, patient, admin, devadmin, dpo}: {username, password, secret, new_password},
// patients {own, other}, hostile_name, attacked_device, latest_heart_rate, screenshots,
// added_user {qr_png, password_file}: where the new user's QR code and password are written).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = config.base;
const problems = [];  // console errors and CSP violations, on every page
const checked = [];   // what passed, printed at the end

function ok(what) {
  checked.push(what);
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from the base32 secret the CLI printed.
function totp(secret, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(code).padStart(6, '0');
}

const lastStep = new Map();  // a code is accepted once: each sign-in takes a newer step
async function nextCode(user) {
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    // The previous step's code only while it has 10 s or more to live: on a loaded machine a
    // code made in a window's last seconds reached the hub after the window had moved on.
    const oldest = Date.now() % 30000 < 20000 ? now - 1 : now;
    const step = Math.max((lastStep.get(user.username) ?? -1) + 1, oldest);
    if (step <= now + 1) {
      lastStep.set(user.username, step);
      return totp(user.secret, step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function watch(page, role) {
  page.on('console', (m) => {
    // A page the test asks for to see it refused (401, 403) is logged as a failed load of the
    // document itself; that is the point, not a problem. Anything else is.
    const refusedDocument = /status of 40[13] /.test(m.text()) && m.location().url === page.url();
    if ((m.type() === 'error' || m.type() === 'warning') && !refusedDocument) {
      problems.push(`${role} ${page.url()}: console ${m.type()}: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`${role} ${page.url()}: page error: ${e}`));
}

async function axe(page, role) {
  const result = await page.evaluate(`${axeSource}; axe.run(document, {resultTypes: ['violations']})`);
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) {
    problems.push(`${role} ${page.url()}: axe ${v.impact} ${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
  }
}

async function visit(page, role, path, title) {
  const response = await page.goto(base + path);
  await axe(page, role);
  if (config.screenshots && title) {
    await page.screenshot({ path: `${config.screenshots}/${title}.png`, fullPage: true });
  }
  return response;
}

async function signIn(browser, role, user) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  watch(page, role);
  await visit(page, role, '/console/login', role === 'officer' ? 'login' : null);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/console/mfa');
  await axe(page, role);
  await page.getByLabel(/6-digit code/).fill(await nextCode(user));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/console/password');  // the first sign-in changes the password
  await axe(page, role);
  await page.getByLabel('Current password').fill(user.password);
  await page.getByLabel('New password').fill(user.new_password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForLoadState();
  assert.ok(!page.url().endsWith('/console/password'), `${role}: the password change was refused: ${await page.textContent('main')}`);
  const cookie = (await context.cookies()).find((c) => c.name === 'vigil_session');
  assert.ok(cookie, `${role}: no session cookie`);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true);
  assert.equal(cookie.sameSite, 'Strict');
  ok(`${role} signed in with password, TOTP code and the forced password change; cookie Secure, HttpOnly, SameSite=Strict`);
  return { context, page };
}

// On a tablet held upright (768 x 1024) each page is no wider than the screen.
async function fitsATablet(page, paths) {
  await page.setViewportSize({ width: 768, height: 1024 });
  for (const path of paths) {
    await page.goto(base + path);
    const [scroll, width] = await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]');
    assert.ok(scroll <= width, `${path} is ${scroll} px wide on a ${width} px tablet`);
  }
  await page.setViewportSize({ width: 1024, height: 768 });
}

async function expectRefused(page, role, path, status) {
  const response = await page.goto(base + path);
  assert.equal(response.status(), status, `${role} ${path}: ${response.status()}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // Wrong password: a message a person understands, and no session.
  {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    watch(page, 'stranger');
    await page.goto(base + '/console/login');
    // With the keyboard only: the username field first, Tab to the password, Enter to send.
    for (let i = 0; i < 6 && await page.evaluate('document.activeElement.id') !== 'username'; ++i) {
      await page.keyboard.press('Tab');  // the skip link, the home link, then the form
    }
    assert.equal(await page.evaluate('document.activeElement.id'), 'username');
    await page.keyboard.type(config.users.officer.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not the password at all');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    assert.match(await page.textContent('[role=alert]'), /username or password is not right/);
    await expectRefused(page, 'stranger', '/console/alerts', 200);  // redirected to sign in
    assert.ok(page.url().endsWith('/console/login'));
    await context.close();
    ok('sign-in works from the keyboard; a wrong password is explained; pages need a session');
  }

  // The clinician: their care team's patients, a chart with the readings just ingested, a
  // patient outside the care team only through break-glass.
  const clinician = await signIn(browser, 'clinician', config.users.clinician);
  {
    const { page } = clinician;
    assert.ok(page.url().endsWith('/console/patients'));
    await visit(page, 'clinician', '/console/patients', 'my-patients');
    const names = await page.locator('main td').allTextContents();
    assert.ok(names.includes(config.hostile_name), `the hostile name is not shown as text: ${names}`);
    assert.equal(await page.evaluate('window.__xss'), undefined);
    assert.equal(await page.locator('main script, main [onload]').count(), 0);
    ok('a patient name holding <script> and "onload= renders as text');
    await visit(page, 'clinician', `/console/patients/${config.patients.own}`, 'chart');
    assert.match(await page.textContent('main'), /Heart rate/);
    assert.ok(await page.locator('svg.chart polyline').count() >= 1);
    assert.match(await page.textContent('main table'), new RegExp(config.latest_heart_rate + ' beats/minute'));
    ok('the chart shows the heart rate just ingested, and its chart');
    await fitsATablet(page, ['/console/patients', `/console/patients/${config.patients.own}`]);
    ok('the clinician\'s pages fit a tablet held upright');
    const closed = await visit(page, 'clinician', `/console/patients/${config.patients.other}`);
    assert.equal(closed.status(), 403);
    assert.doesNotMatch(await page.textContent('main'), /Heart rate/);
    await page.getByLabel('Reason for emergency access').fill('Collapsed in the corridor; no record at hand');
    await page.getByRole('button', { name: /break-glass/ }).click();
    await page.waitForLoadState();
    assert.match(await page.textContent('main'), /Opened through break-glass/);
    ok('a patient outside the care team: closed, then opened through break-glass with a reason');
    await expectRefused(page, 'clinician', '/console/alerts', 403);
  }

  // The patient: their vitals, and the clinician's read in "who read my data".
  const patient = await signIn(browser, 'patient', config.users.patient);
  {
    const { page } = patient;
    assert.ok(page.url().endsWith('/console/me'));
    await visit(page, 'patient', '/console/me', 'my-vitals');
    assert.match(await page.textContent('main'), /Heart rate/);
    await visit(page, 'patient', '/console/me/readers', 'who-read-my-data');
    const rows = await page.locator('main tbody tr').allTextContents();
    assert.ok(rows.some((r) => /clinician/.test(r) && /read/.test(r)), `no clinician read listed: ${rows}`);
    assert.ok(!rows.some((r) => r.includes(config.users.clinician.username)), 'staff names are for the privacy officer');
    ok('the patient sees the clinician\'s read (by role) in who read my data');
    await expectRefused(page, 'patient', `/console/patients/${config.patients.other}`, 403);
    await expectRefused(page, 'patient', '/console/alerts', 403);
    await expectRefused(page, 'patient', '/console/security', 403);
    await visit(page, 'patient', '/console/privacy', 'privacy');
    ok('the patient cannot open another patient or the alerts');
    await fitsATablet(page, ['/console/me', '/console/me/readers', '/console/me/consent', '/console/privacy']);
    ok('the patient\'s pages fit a tablet held upright');
    await visit(page, 'patient', '/console/me/consent', 'consent');
    assert.match(await page.textContent('main'), /May your care team see your vital signs\?/);
    await page.getByRole('radio', { name: /^Yes: researchers/ }).check();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.waitForURL('**/console/me/consent?saved=1');
    await axe(page, 'patient');
    assert.match(await page.textContent('[role=status]'), /saved and in effect/);
    assert.ok(await page.getByRole('radio', { name: /^Yes: researchers/ }).isChecked());
    ok('the patient reads their consent in plain language and changes it');
  }

  // The security officer: the attack on the dashboard, acknowledged, the device released.
  const officer = await signIn(browser, 'officer', config.users.officer);
  {
    const { page, context } = officer;
    assert.ok(page.url().endsWith('/console/security'));
    await visit(page, 'officer', '/console/security', 'dashboard');
    const quarantined = await page.locator('.tile', { hasText: 'quarantined' }).locator('.n').textContent();
    assert.ok(Number(quarantined) >= 1, `quarantined: ${quarantined}`);
    const entity = 'device:' + config.attacked_device;
    const row = page.locator('main tr', { hasText: entity }).first();
    await row.locator('a').click();
    await page.waitForURL('**/console/alerts/*');
    await axe(page, 'officer');
    if (config.screenshots) await page.screenshot({ path: `${config.screenshots}/alert.png`, fullPage: true });
    const alertUrl = page.url();
    // The note holds markup: it must come back as text.
    await page.getByLabel('Note (optional)').fill(config.hostile_name);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForURL(alertUrl);
    assert.match(await page.textContent('main'), /acknowledged/);
    assert.ok((await page.textContent('main')).includes(config.hostile_name));
    assert.equal(await page.evaluate('window.__xss'), undefined);
    assert.equal(await page.locator('main script, main [onload]').count(), 0);
    await page.getByLabel('Reason for lifting the hold').fill('Clone found and its certificate revoked at the vendor');
    await page.getByRole('button', { name: 'Release the device' }).click();
    await page.waitForURL('**/console/alerts?status=all');
    ok(`the attack's alert on ${entity} is on the dashboard; acknowledged; the device released`);

    // Both actions in the audit viewer (read from the ledger), and the failed sign-in.
    await visit(page, 'officer', '/console/audit?type=device_released', 'audit');
    const released = await page.locator('main tbody tr').allTextContents();
    assert.ok(released.some((r) => r.includes(config.attacked_device) && r.includes('by=' + config.users.officer.username) &&
      r.includes('certificate revoked at the vendor')), `no release in the audit viewer: ${released}`);
    await visit(page, 'officer', '/console/audit?type=alert_status_changed');
    assert.ok((await page.locator('main tbody tr').allTextContents()).some((r) => r.includes('acknowledged')));
    await visit(page, 'officer', `/console/audit?type=login&user=${config.users.officer.username}`);
    assert.ok((await page.locator('main tbody tr').allTextContents()).some((r) => /wrong|fail|bad/.test(r)),
      'the failed sign-in is not in the audit viewer');
    ok('the acknowledgement, the release (with its reason) and the failed sign-in are in the audit viewer');

    // The incident: its timeline, its breach report on the page and as a download.
    await visit(page, 'officer', '/console/incidents', 'incidents');
    await page.locator('main tr', { hasText: entity }).first().locator('a').click();
    await page.waitForURL('**/console/incidents/*');
    await axe(page, 'officer');
    if (config.screenshots) await page.screenshot({ path: `${config.screenshots}/incident.png`, fullPage: true });
    assert.match(await page.textContent('main'), /quarantine-device/);
    const incidentUrl = page.url();
    await visit(page, 'officer', new URL(incidentUrl).pathname + '/report');
    assert.match(await page.textContent('main pre'), /[Bb]reach/);
    const download = await context.request.get(incidentUrl + '/report.md');
    assert.equal(download.status(), 200);
    assert.match(download.headers()['content-disposition'], /attachment; filename="incident-\d+-breach-report.md"/);
    ok('the incident\'s timeline shows the response; its breach report renders and downloads');

    ok('an alert note holding <script> and "onload= renders as text');

    // The break-glass review queue: the clinician's emergency access, judged with a note.
    await visit(page, 'officer', '/console/reviews', 'reviews');
    assert.match(await page.textContent('main'), /Collapsed in the corridor/);
    await page.getByRole('radio', { name: /^Justified/ }).first().check();
    await page.getByLabel('What you found').first().fill('Confirmed with the emergency department');
    await page.getByRole('button', { name: 'Record the review' }).first().click();
    await page.waitForURL('**/console/reviews');
    await axe(page, 'officer');
    assert.match(await page.textContent('main'), /Nothing is waiting for review/);
    ok('the officer judges the break-glass access in the review queue');

    // A form without the CSRF token, or from another site, changes nothing.
    const id = alertUrl.split('/').pop();
    const forged = await context.request.post(`${base}/console/alerts/${id}/resolve`, {
      form: { note: 'forged' }, maxRedirects: 0 });
    assert.equal(forged.status(), 403);
    const crossSite = await context.request.post(`${base}/console/alerts/${id}/resolve`, {
      form: { note: 'forged', csrf: 'x' }, headers: { Origin: 'https://evil.example' }, maxRedirects: 0 });
    assert.equal(crossSite.status(), 403);
    await page.goto(alertUrl);
    assert.doesNotMatch(await page.textContent('main'), /forged/);
    assert.match(await page.locator('main p').first().textContent(), / · acknowledged · /);
    ok('a form without its CSRF token, or posted from another site, is refused and changes nothing');

    // The officer sees no values.
    await expectRefused(page, 'officer', `/console/patients/${config.patients.own}`, 403);
    assert.doesNotMatch(await page.textContent('main'), /Heart rate/);
    ok('the security officer sees no values');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/console/login');
    await page.goto(base + '/console/security');
    assert.ok(page.url().endsWith('/console/login'));
    ok('signing out ends the session');
  }
  // The administrator: users (a new one shown its one-time password and QR code), patients.
  const admin = await signIn(browser, 'admin', config.users.admin);
  {
    const { page } = admin;
    await visit(page, 'admin', '/console/admin/users', 'users');
    await page.getByLabel(/^Username/).fill('nurse.browser');
    await page.getByLabel('Role').selectOption('nurse');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await page.waitForLoadState();
    await axe(page, 'admin');
    assert.match(await page.textContent('main'), /nurse.browser was added/);
    assert.ok(await page.locator('svg.qr path').isVisible());
    // The QR code as a phone's camera sees it, and the one-time password, for the test to sign
    // in with what a scanner reads off the screen.
    await page.locator('svg.qr').screenshot({ path: config.added_user.qr_png });
    writeFileSync(config.added_user.password_file, await page.locator('dd code').first().textContent());
    if (config.screenshots) await page.screenshot({ path: `${config.screenshots}/user-added.png`, fullPage: true });
    await visit(page, 'admin', '/console/admin/patients', 'patients-admin');
    assert.doesNotMatch(await page.textContent('main'), /script/);  // no names shown here
    await expectRefused(page, 'admin', '/console/admin/devices', 403);
    ok('the administrator adds a user (one-time password and QR code shown) and sees patients without names');
  }
  const deviceAdmin = await signIn(browser, 'devadmin', config.users.devadmin);
  {
    const { page } = deviceAdmin;
    await visit(page, 'devadmin', '/console/admin/devices', 'devices');
    assert.match(await page.textContent('main'), new RegExp(config.attacked_device));
    await expectRefused(page, 'devadmin', '/console/admin/users', 403);
    ok('the device administrator sees the devices and the enrolment form');
  }
  const privacyOfficer = await signIn(browser, 'dpo', config.users.dpo);
  {
    const { page } = privacyOfficer;
    await visit(page, 'dpo', '/console/privacy-requests', 'privacy-requests');
    assert.match(await page.textContent('main'), /p-001/);
    assert.doesNotMatch(await page.textContent('main'), /script/);  // ids only, never a name
    await page.getByLabel('Restrict p-001: why').fill('Art. 18 request 7');
    await page.getByLabel('Restrict p-001: why').press('Enter');  // submits its own form
    await page.waitForURL(/privacy-requests\?q=p-001$/);
    await axe(page, 'dpo');
    assert.match(await page.textContent('main'), /Art\. 18 request 7 \(privacy\.kay/);
    await page.getByLabel('Lift restriction p-001: why').fill('withdrawn');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'),
                       page.getByLabel('Lift restriction p-001: why').press('Enter')]);
    await page.waitForLoadState();
    assert.ok(await page.getByLabel('Restrict p-001: why').isVisible());  // lifted: offered again
    await expectRefused(page, 'dpo', '/console/admin/users', 403);
    ok('the privacy officer restricts a patient and lifts it from the console');
  }
  for (const c of [clinician, patient, officer, admin, deviceAdmin, privacyOfficer]) {
    await c.context.close();
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(JSON.stringify({ checked }, null, 1));
