import * as z from "zod";
import { DossierEventSchema, EventBatchSchema } from "./schema";

/** File name → JSON text of every generated JSON Schema (draft 2020-12). */
export function renderSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  const write = (name: string, schema: z.ZodType, title: string) => {
    const json = { title, ...z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) };
    out[`${name}.schema.json`] = `${JSON.stringify(json, null, 2)}\n`;
  };
  write("dossier-event", DossierEventSchema, "Dossier event (events.md)");
  for (const option of DossierEventSchema.options) {
    const type = option.shape.type.value;
    write(type, option, `Dossier event ${type}`);
  }
  write("event-batch", EventBatchSchema, "POST /events batch body");
  return out;
}
