#include "console/assets.h"

namespace vigil::console {

namespace {

// System fonts, colours with at least 4.5:1 contrast on their backgrounds (WCAG 2.1 AA), focus
// always visible, and a layout that reflows to a tablet's width.
constexpr std::string_view kStylesheet = R"CSS(
:root { --ink: #1b1f24; --muted: #4a5360; --line: #c9cfd6; --paper: #ffffff; --band: #f2f4f7;
  --accent: #0b5cad; --high: #a61b1b; --medium: #8a4b00; --low: #2f5d2f; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--paper); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f0b400;
  outline-offset: 2px; }
.skip, .visually-hidden { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--paper); padding: 4px 8px; }
header { background: #10243e; color: #fff; padding: 8px 16px; display: flex; flex-wrap: wrap;
  align-items: center; gap: 16px; }
header .brand { font-weight: 700; font-size: 1.1rem; color: #fff; text-decoration: none; }
header nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 12px; margin: 0; padding: 0; }
header nav a { color: #fff; }
header form { margin-left: auto; }
header .who { color: #dbe4ee; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 8px 0 16px; }
h2 { font-size: 1.2rem; margin: 24px 0 8px; }
footer { color: var(--muted); font-size: 0.9rem; padding: 16px; text-align: center; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--band); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 12px; background: var(--band); }
.tile .n { font-size: 1.8rem; font-weight: 700; display: block; }
.sev-high, .sev-critical { color: var(--high); font-weight: 700; }
.sev-medium { color: var(--medium); font-weight: 700; }
.sev-low { color: var(--low); }
.notice { border-left: 4px solid var(--accent); background: var(--band); padding: 8px 12px; }
.error { border-left: 4px solid var(--high); background: #fbeaea; padding: 8px 12px; }
.suspect { color: var(--high); font-weight: 700; }
form.stack label { display: block; margin: 12px 0 4px; font-weight: 600; }
form.stack input, form.stack textarea { width: 100%; max-width: 28rem; padding: 8px;
  font: inherit; border: 1px solid #6b7480; border-radius: 4px; }
button { font: inherit; padding: 8px 14px; border-radius: 4px; border: 1px solid #0a4f95;
  background: var(--accent); color: #fff; cursor: pointer; min-height: 44px; }
header button { background: transparent; border-color: #dbe4ee; }
form.stack select { padding: 8px; font: inherit; border: 1px solid #6b7480; border-radius: 4px; }
form.stack label.choice { font-weight: 400; display: flex; gap: 8px; align-items: baseline; }
form.stack label.choice input { width: auto; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0; max-width: 40rem; }
legend { font-weight: 600; padding: 0 4px; }
.qr { width: 220px; height: 220px; background: #fff; }
.qr path { fill: #000; }
form.inline { display: inline; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
form.filters input { padding: 6px; font: inherit; border: 1px solid #6b7480; border-radius: 4px; }
.chart { width: 100%; max-width: 720px; height: auto; border: 1px solid var(--line); }
.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
.chart .line2 { fill: none; stroke: var(--medium); stroke-width: 2; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .flag { fill: var(--high); }
.chart text { fill: var(--muted); font-size: 12px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--band); padding: 12px; }
dl.evidence { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dl.evidence dt { font-weight: 600; }
dl.evidence dd { margin: 0; overflow-wrap: anywhere; }
)CSS";

constexpr std::string_view kIcon =
    R"SVG(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#10243e"/><path d="M3 4l5 9 5-9" fill="none" stroke="#fff" stroke-width="2"/></svg>)SVG";

// The idle sign-out (HIPAA 164.312(a)(2)(iii)): the hub ends a session unused for the idle time;
// this takes the page, and the health data on it, off the screen at the same moment. The time
// comes from the page (data-idle-seconds on <body>): no inline script, which the CSP forbids.
constexpr std::string_view kIdleScript = R"JS('use strict';
(function () {
  var seconds = Number(document.body.getAttribute('data-idle-seconds') || 0);
  if (!(seconds > 0)) return;
  setTimeout(function () { window.location.replace('/console/login?idle=1'); },
             seconds * 1000 + 2000);
})();
)JS";

}  // namespace

std::optional<Asset> FindAsset(std::string_view path) {
  if (path == kStylesheetPath) return Asset{"text/css; charset=utf-8", kStylesheet};
  if (path == kIconPath) return Asset{"image/svg+xml", kIcon};
  if (path == kIdleScriptPath) return Asset{"text/javascript; charset=utf-8", kIdleScript};
  return std::nullopt;
}

}  // namespace vigil::console
