/** The HTML report's stylesheet: a light, printable page; numbers large enough to read at a glance. */
export const REPORT_STYLE = `
:root { --text: #111827; --muted: #6b7280; --line: #e5e7eb; --card: #ffffff; --bg: #f3f4f6; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); }
header { padding: 20px 28px 8px; }
h1 { margin: 0; font-size: 24px; }
h2 { margin: 0 0 8px; font-size: 16px; }
.range { margin: 4px 0 0; color: var(--muted); }
main { padding: 8px 28px 28px; display: grid; gap: 16px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.figure, .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.figure .value { font-size: 22px; font-weight: 600; margin-top: 2px; }
.figure .detail { color: var(--muted); font-size: 12px; margin-top: 2px; }
.chart { width: 100%; min-height: 300px; }
.note { color: var(--muted); margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.bad { color: var(--bad); font-weight: 600; }
.u-legend { font-size: 12px; }
`;
