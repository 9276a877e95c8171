import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localSesClient, readSesStore } from "../../dev/local/ses-local";
import * as kpiReport from "../../functions/kpi-report";
import * as queryApi from "../../functions/query-api";
import { monitorEnvironment, parseStageConfig } from "../../infra/config";
import { applyEvent } from "../../lib/app/apply";
import {
  countingSettings,
  officialSettings,
  parseEnv,
  parseMonitorEnv,
  type RawEnv,
} from "../../lib/contracts/config";
import type { OfficialForm } from "../../lib/domain/official/form";
import type { NationalIndex } from "../../lib/domain/official/index766";
import { formatInstant, instant } from "../../lib/domain/time";
import { UnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { apiGet } from "../helpers/api";
import { testTable } from "../helpers/dynamo";

/**
 * A deployment's official settings (office, form title, domain names, index targets) from its
 * configuration: CDK context → the functions' environment → GET /kpis/form, /kpis/index and the
 * KPI email; and a bad setting stops the function at cold start naming the field.
 */

const OFFICIAL = {
  office: { vi: "UBND huyện Thử Nghiệm", en: "Thu Nghiem District People's Committee" },
  formTitle: {
    vi: "Tình hình giải quyết TTHC tại Trung tâm Phục vụ hành chính công",
    en: "At the service centre",
  },
  domains: { "dat-dai": { vi: "Đất đai và đo đạc", en: "Land and surveying" } },
  targets: { "2.1": 0.93 },
};

const stage = parseStageConfig({
  stage: "test",
  // Its own sender each run: the SES store outlives the file (a rerun, a retry), and the mails
  // below are this run's.
  senderAddress: `kpi-settings-${randomUUID()}@ubnd.example.org`,
  sesIdentity: "ubnd.example.org",
  official: OFFICIAL,
});

let table: Awaited<ReturnType<typeof testTable>>;
let env: RawEnv;
let readerKey = "";
const now = () => instant("2022-08-15T09:00:00+07:00");
const clients = () => ({
  dynamo: table.doc,
  ses: localSesClient(inject("sesEndpoint")),
  now,
  logger: (service: string) => new Logger({ serviceName: service, logLevel: "ERROR" }),
});

beforeAll(async () => {
  table = await testTable("official");
  // The environment the CDK stack gives every function, from the stage's context.
  env = { ...monitorEnvironment(stage, table.tableName), SENDER_ADDRESS: stage.senderAddress };
  await table.store.directory.put(
    [
      {
        id: "cn-vpdk-dat-dai",
        nameVi: "Chi nhánh Văn phòng đăng ký đất đai",
        nameEn: "Land registration office branch",
        level: "district-department",
        validFrom: "2020-01-01",
        head: { name: "Giám đốc chi nhánh", email: "giam-doc@vpdk.example.org" },
        deputies: [],
        escalation: [],
        locale: "vi",
      },
    ],
    [{ name: "Chủ tịch UBND huyện", email: "chu-tich-settings@ubnd.example.org" }],
  );
  readerKey = await createApiKey(table.store, {
    name: "r",
    role: "reader",
    source: "dash",
    ratePerSecond: 1000,
  });
  const settings = countingSettings(parseMonitorEnv(env));
  const units = await table.store.directory.get();
  await applyEvent(
    { ...table.store, settings, units: new UnitDirectory(units.units, units.leadership), now },
    {
      eventId: "settings-1",
      type: "dossier.received",
      occurredAt: formatInstant(now() - 7 * 86_400_000),
      dossierId: "settings-1",
      data: {
        unitId: "cn-vpdk-dat-dai",
        procedureCode: "1.004227",
        channel: "online",
        processingDays: 10,
        domain: "dat-dai",
        level: "district",
      },
    },
  );
});
afterAll(async () => table.drop());

describe("official settings from the deployment's configuration", () => {
  it("reach the functions' environment from the CDK stage, over the catalog's domain names", () => {
    const official = officialSettings(parseMonitorEnv(env));
    expect(official.office).toEqual(OFFICIAL.office);
    expect(official.targets).toEqual({ "2.1": 0.93 });
    // The deployment's name wins; domains it leaves out keep the catalog's names.
    expect(official.domains["dat-dai"]?.vi).toBe("Đất đai và đo đạc");
    expect(official.domains["ho-tich"]?.vi).toBe("Hộ tịch");
  });

  it("show in GET /kpis/form and /kpis/index", async () => {
    const query = queryApi.compose(parseEnv(queryApi.EnvSchema, env), clients());
    const get = async (path: string, q: Record<string, string>) =>
      JSON.parse((await query(apiGet(path, q, readerKey), {} as never)).body as string);
    const form = (await get("/kpis/form", { period: "2022-Q3" })) as OfficialForm;
    expect(form.office).toBe("UBND huyện Thử Nghiệm");
    expect(form.title).toBe(OFFICIAL.formTitle.vi);
    expect(form.rows.map((r) => r.label)).toContain("Đất đai và đo đạc");
    const index = (await get("/kpis/index", { period: "2022-Q3" })) as NationalIndex;
    expect(index.indicators.find((i) => i.id === "2.1")?.target).toBe(0.93);
    // Per unit as well as for the office, with the unit's name from the table's directory.
    expect(index.byUnit.map((u) => [u.unit, u.name?.vi])).toEqual([
      ["cn-vpdk-dat-dai", "Chi nhánh Văn phòng đăng ký đất đai"],
    ]);
    expect(index.byUnit[0]?.indicators.find((i) => i.id === "2.1")).toMatchObject({ rate: 1, target: 0.93 });
    const scoped = (await get("/kpis/index", {
      period: "2022-Q3",
      unit: "cn-vpdk-dat-dai",
    })) as NationalIndex;
    expect(scoped.unit).toBe("cn-vpdk-dat-dai");
    expect(scoped.byUnit).toHaveLength(1);
  });

  it("show in the KPI email: the office, the form's title, the domain's name, the target; the index per unit by name", async () => {
    const handler = kpiReport.compose(parseEnv(kpiReport.EnvSchema, env), clients());
    await handler({ kind: "weekly" }, {} as never);
    // The weekly email alone (the close in the test after this one comes from the same sender).
    const mails = (await readSesStore(inject("sesEndpoint"))).filter((m) => m.from === stage.senderAddress);
    expect(mails).toHaveLength(1);
    const { html, text } = mails[0]?.body ?? {};
    for (const body of [html, text]) {
      expect(body).toContain("Đơn vị báo cáo: UBND huyện Thử Nghiệm");
      expect(body).toContain(OFFICIAL.formTitle.vi);
      expect(body).toContain("Đất đai và đo đạc");
    }
    expect(text).toContain("mục tiêu 93%");
    // The index per unit, by name, under the office's; never the unit's id.
    expect(html).toContain("Chỉ số theo đơn vị");
    expect(html).toMatch(/Chi nhánh Văn phòng đăng ký đất đai<\/td><td[^>]*>100%<\/td>/);
    expect(text).toMatch(
      /Chỉ số theo đơn vị:\n- Chi nhánh Văn phòng đăng ký đất đai: 2\.1 100%; 3\.3 100%; 5\.4 100%/,
    );
    for (const body of [html, text]) expect(body).not.toContain("cn-vpdk-dat-dai");
  }, 60_000);

  it("a bad setting stops a function at cold start, naming the field", () => {
    const bad = (value: string) => () =>
      parseEnv(queryApi.EnvSchema, { TABLE_NAME: "t", OFFICIAL_SETTINGS: value });
    expect(bad('{"targets":{"2.1":1.5}}')).toThrow(/OFFICIAL_SETTINGS: targets\.2\.1: /);
    expect(bad('{"targets":{"9.9":0.5}}')).toThrow(/OFFICIAL_SETTINGS: targets/);
    expect(bad('{"office":{"vi":""}}')).toThrow(/OFFICIAL_SETTINGS: office\.vi: .*office\.en: /);
    expect(bad('{"ofice":{"vi":"x","en":"y"}}')).toThrow(/OFFICIAL_SETTINGS: .*ofice/);
    expect(bad("{")).toThrow(/OFFICIAL_SETTINGS: not JSON/);
    // And the CDK synth, from the stage's context.
    expect(() => parseStageConfig({ ...stage, official: { withdrawnInForm: "dropped" } })).toThrow(
      /stage configuration: official\.withdrawnInForm: /,
    );
  });
});

describe("reading the counters", () => {
  it("is eventually consistent for the query API, strongly consistent for the KPI emails and the close", async () => {
    // Every query of a period's counters (partition K#…), with its ConsistentRead, as DynamoDB gets it.
    const reads: (boolean | undefined)[] = [];
    table.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          ExpressionAttributeValues?: Record<string, unknown>;
          ConsistentRead?: boolean;
        };
        const pk = input.ExpressionAttributeValues?.[":pk"] as { S?: string } | string | undefined;
        if (String(typeof pk === "object" ? pk?.S : pk).startsWith("K#")) reads.push(input.ConsistentRead);
        return next(args);
      },
      { step: "build", name: "recordCounterReads" },
    );
    try {
      const query = queryApi.compose(parseEnv(queryApi.EnvSchema, env), clients());
      for (const path of ["/kpis", "/kpis/form", "/kpis/index"])
        expect((await query(apiGet(path, { period: "2022-Q3" }, readerKey), {} as never)).statusCode).toBe(
          200,
        );
      expect(reads.length).toBeGreaterThanOrEqual(3);
      expect(reads.every((r) => r === false)).toBe(true);
      reads.length = 0;
      // The close of 2022-Q3, the morning after: it freezes the report and sends form II.06a.
      const closing = { ...clients(), now: () => instant("2022-10-01T00:30:00+07:00") };
      const close = kpiReport.compose(parseEnv(kpiReport.EnvSchema, env), closing);
      expect(await close({ kind: "close" }, {} as never)).toMatchObject({ period: "2022-Q3" });
      expect(reads.length).toBeGreaterThanOrEqual(2);
      expect(reads.every((r) => r === true)).toBe(true);
    } finally {
      table.client.middlewareStack.remove("recordCounterReads");
    }
  }, 60_000);
});
