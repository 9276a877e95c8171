import * as z from "../zod";
import { DossierEventSchema, EventBatchSchema, typeOf } from "./schema";

/** File name → JSON text of every generated JSON Schema (draft 2020-12). */
export function renderSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  const write = (name: string, schema: z.ZodMiniType, title: string) => {
    const json = { title, ...z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) };
    out[`${name}.schema.json`] = `${JSON.stringify(json, null, 2)}\n`;
  };
  write("dossier-event", DossierEventSchema, "Dossier event (docs/events.md)");
  for (const option of DossierEventSchema.def.options) {
    const type = typeOf(option);
    write(type, option, `Dossier event ${type}`);
  }
  write("event-batch", EventBatchSchema, "POST /events batch body");
  return out;
}

/**
 * The fields a producer that puts events straight onto the bus leaves out: free text that may name
 * people, which the consumer drops but the bus's archive would keep a year (docs/events.md).
 */
export const NOT_ON_THE_BUS = ["reason"] as const;

/**
 * Event type → JSON text of its schema for the EventBridge schema registry: the same zod schema and
 * title as `renderSchemas`, rendered as draft 4 because the registry's only JSON Schema type is
 * JSONSchemaDraft4 (a 2020-12 document would be refused or misread: `const`, `$schema`), and
 * without {@link NOT_ON_THE_BUS} in its `data`. It describes the event's `detail`; its `type` is
 * the envelope's detail-type (lib/contracts/bus.ts).
 */
export function renderBusSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const option of DossierEventSchema.def.options) {
    const type = typeOf(option);
    const json = {
      title: `Dossier event ${type}`,
      ...z.toJSONSchema(option, { target: "draft-04", io: "input" }),
    } as { properties?: { data?: { properties?: Record<string, unknown>; required?: string[] } } };
    const data = json.properties?.data;
    for (const field of NOT_ON_THE_BUS) {
      delete data?.properties?.[field];
      if (data?.required) data.required = data.required.filter((f) => f !== field);
    }
    out[type] = JSON.stringify(json);
  }
  return out;
}
