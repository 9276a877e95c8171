import { writeFileSync } from "node:fs";
import { startDashboardStack } from "../tests/helpers/dashboard-stack";
const t0 = Date.now();
const d = await startDashboardStack({ apiPort: 3920, log: (l) => console.log(((Date.now() - t0) / 1000).toFixed(1), l) });
writeFileSync("/tmp/dash-keys.json", JSON.stringify({ reader: d.reader, scoped: d.scoped, integration: d.integration }));
console.log("ready", (Date.now() - t0) / 1000);
