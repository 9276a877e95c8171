import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { localSesClient } from "../../dev/local/ses-local";
import type { TableStore } from "../../lib/adapters/dynamodb/store";
import { sesMailer } from "../../lib/adapters/ses";
import type { SendDeps } from "../../lib/app/kpi-report";
import type { CountingSettings } from "../../lib/domain/counting";
import type { UnitDirectory } from "../../lib/domain/units";

/**
 * The KPI email's dependencies on a test table and SES local, sent from an address unique to the
 * test (`<tag>+…@ubnd.example.org`), so that a test reads back only its own mail. Every area of the
 * store comes along, so the same object serves the query API.
 */
export function kpiSendDeps(
  store: TableStore,
  settings: Pick<CountingSettings, "calendar" | "scheme">,
  units: UnitDirectory,
  now: () => number,
  tag: string,
): SendDeps & TableStore {
  return {
    ...store,
    calendar: settings.calendar,
    scheme: settings.scheme,
    units,
    now,
    mailer: sesMailer(localSesClient(inject("sesEndpoint"))),
    from: `${tag}+${randomUUID().slice(0, 8)}@ubnd.example.org`,
  };
}
