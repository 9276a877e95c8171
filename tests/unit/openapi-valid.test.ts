import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { readProjectFile } from "../helpers/fixtures";

/**
 * docs/openapi.json against the OpenAPI 3.1 specification's own JSON Schema (its dialect and
 * meta-schema), with every `$ref` resolved: what client generators read first.
 */
describe("docs/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(readProjectFile("docs/openapi.json")));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is refused when broken: the validator does read it", async () => {
    const doc = JSON.parse(readProjectFile("docs/openapi.json")) as {
      paths: Record<string, Record<string, { parameters: { in: string }[] }>>;
    };
    // A parameter where OpenAPI 3 has none (bodies are requestBody), and a reference to nothing.
    const param = doc.paths["/dossiers"]?.get?.parameters[0];
    if (param) param.in = "body";
    const broken = await new Validator().validate(doc);
    expect(broken.valid).toBe(false);
    const dangling = JSON.parse(readProjectFile("docs/openapi.json")) as Record<string, unknown>;
    const text = JSON.stringify(dangling).replace(
      '"#/components/schemas/Page"',
      '"#/components/schemas/Nope"',
    );
    expect((await new Validator().validate(JSON.parse(text))).valid).toBe(false);
  });
});
