import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { OPENAPI_GZIP_BASE64 } from "../../lib/http/openapi-served";
import { handleQuery } from "../../lib/http/query-api";
import { acceptsGzip, compressed, file, json } from "../../lib/http/responses";

describe("acceptsGzip", () => {
  it.each([
    ["gzip, deflate, br", true],
    ["GZIP", true],
    ["br;q=1.0, gzip;q=0.5", true],
    ["*", true],
    ["br", false],
    ["identity", false],
    ["gzip;q=0", false],
    ["gzip; q=0.0, br", false],
    ["*;q=0", false],
    ["x-gzip", true],
    ["gzip;q=0, *", false],
    ["*, gzip;q=0", false],
    ["br, *;q=0.1", true],
    ["", false],
    [undefined, false],
  ])("%j → %s", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe("compressed", () => {
  const big = { names: Array.from({ length: 200 }, (_, i) => `Thủ tục số ${i}: cấp giấy chứng nhận`) };

  it("gzips a JSON answer of 1 KB or more for a client that takes gzip, and says so", () => {
    const plain = json(200, big);
    const out = compressed(plain, "gzip, deflate");
    expect(out.headers?.["content-encoding"]).toBe("gzip");
    expect(out.headers?.vary).toBe("accept-encoding");
    expect(out.headers?.["content-type"]).toBe(plain.headers?.["content-type"]);
    expect(out.isBase64Encoded).toBe(true);
    const body = gunzipSync(Buffer.from(out.body ?? "", "base64")).toString("utf8");
    expect(JSON.parse(body)).toEqual(big);
    expect(Buffer.from(out.body ?? "", "base64").length).toBeLessThan(
      Buffer.byteLength(plain.body ?? "") / 4,
    );
  });

  it("leaves the body as it is for a client that does not take gzip, varying by the header", () => {
    const plain = json(200, big);
    for (const header of [undefined, "br", "gzip;q=0"]) {
      const out = compressed(plain, header);
      expect(out.body).toBe(plain.body);
      expect(out.isBase64Encoded).toBeUndefined();
      expect(out.headers?.["content-encoding"]).toBeUndefined();
      expect(out.headers?.vary).toBe("accept-encoding");
    }
  });

  it("refuses an answer over Lambda's bound to a client that does not take gzip, naming the header, and sends it gzipped to one that does", () => {
    const huge = json(200, { text: "x".repeat(6_100_000) });
    const refused = compressed(huge, undefined);
    expect(refused.statusCode).toBe(406);
    expect(JSON.parse(refused.body ?? "")).toMatchObject({ problems: [{ path: "accept-encoding" }] });
    // Measured as sent: quotes escaped inside the answer's JSON, a file as base64.
    const quotes = json(200, { text: '"'.repeat(3_100_000) });
    expect(compressed(quotes, undefined).statusCode).toBe(406);
    const csv = file(Buffer.alloc(4_600_000, 0x41), "text/csv; charset=utf-8", "a.csv");
    expect(compressed(csv, undefined).statusCode).toBe(406);
    const smaller = file(Buffer.alloc(4_400_000, 0x41), "text/csv; charset=utf-8", "a.csv");
    expect(compressed(smaller, undefined).statusCode).toBe(200);
    const zipped = compressed(huge, "gzip");
    expect(zipped.statusCode).toBe(200);
    expect(Buffer.from(zipped.body ?? "", "base64").length).toBeLessThan(100_000);
  });

  it("adds accept-encoding to a Vary the answer had, once", () => {
    const withVary = { ...json(200, big), headers: { ...json(200, big).headers, vary: "origin" } };
    expect(compressed(withVary, "gzip").headers?.vary).toBe("origin, accept-encoding");
    const already = { ...withVary, headers: { ...withVary.headers, vary: "Accept-Encoding" } };
    expect(compressed(already, undefined).headers?.vary).toBe("Accept-Encoding");
  });

  it("leaves small answers, spreadsheets and answers already encoded as they are", () => {
    const small = json(404, { message: "no such dossier", problems: [] });
    expect(compressed(small, "gzip")).toBe(small);
    const xlsx = file(
      Buffer.alloc(4096, 1),
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "a.xlsx",
    );
    expect(compressed(xlsx, "gzip")).toBe(xlsx);
    const encoded = {
      ...json(200, big),
      headers: { "content-type": "text/css", "content-encoding": "gzip" },
    };
    expect(compressed(encoded, "gzip")).toBe(encoded);
  });

  it("gzips a CSV file (sent base64) with its attachment headers kept", () => {
    const csv = "Đơn vị;Tiếp nhận\n".concat("Phòng Tài nguyên và Môi trường;1.234\n".repeat(100));
    const out = compressed(file(Buffer.from(csv), "text/csv; charset=utf-8", "bao-cao.csv"), "gzip");
    expect(out.headers?.["content-encoding"]).toBe("gzip");
    expect(out.headers?.["content-disposition"]).toBe('attachment; filename="bao-cao.csv"');
    expect(gunzipSync(Buffer.from(out.body ?? "", "base64")).toString("utf8")).toBe(csv);
  });
});

describe("GET /openapi.json", () => {
  const get = (acceptEncoding?: string) =>
    handleQuery(
      { now: () => 0 } as never,
      {
        rawPath: "/openapi.json",
        requestContext: { http: { method: "GET" } },
        headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {},
      } as never,
    );

  it("is the stored gzip as it is to a client that takes gzip, and unpacked for one that does not", async () => {
    const zipped = await get("gzip, deflate");
    expect(zipped.headers?.["content-encoding"]).toBe("gzip");
    expect(zipped.body).toBe(OPENAPI_GZIP_BASE64);
    const plain = await get();
    expect(plain.headers?.["content-encoding"]).toBeUndefined();
    expect(plain.headers?.vary).toBe("accept-encoding");
    expect(plain.body).toBe(gunzipSync(Buffer.from(OPENAPI_GZIP_BASE64, "base64")).toString("utf8"));
  });
});
