import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it, vi } from "vitest";
import { testTable } from "../helpers/dynamo";

describe("ses-feedback", () => {
  it("suppresses permanent bounces and complaints, not transient bounces", async () => {
    process.env.TABLE_NAME ??= "unused";
    const { createHandler } = await import("../../functions/ses-feedback");
    const table = await testTable("supp");
    const handler = createHandler(table.store.suppression, new Logger({ logLevel: "SILENT" }), () => 1);
    const bounce = (bounceType: string, email: string) => ({
      source: "aws.ses",
      "detail-type": "Email Bounced",
      detail: { eventType: "Bounce", bounce: { bounceType, bouncedRecipients: [{ emailAddress: email }] } },
    });
    await handler(bounce("Permanent", "Truong@TNMT.example.org"), {} as never);
    await handler(bounce("Transient", "pho@tnmt.example.org"), {} as never);
    await handler(
      {
        source: "aws.ses",
        "detail-type": "Email Complaint Received",
        detail: {
          eventType: "Complaint",
          complaint: { complainedRecipients: [{ emailAddress: "x@example.org" }] },
        },
      },
      {} as never,
    );
    expect([...(await table.store.suppression.addresses())].sort()).toEqual([
      "truong@tnmt.example.org",
      "x@example.org",
    ]);
    await table.drop();
  });

  it("with the stage's configuration set, takes only its emails' feedback (the default bus carries the account's)", async () => {
    process.env.TABLE_NAME ??= "unused";
    const { createHandler } = await import("../../functions/ses-feedback");
    const table = await testTable("supp-set");
    const handler = createHandler(
      table.store.suppression,
      new Logger({ logLevel: "SILENT" }),
      () => 1,
      "dm-prod",
    );
    const bounce = (email: string, set?: string) => ({
      source: "aws.ses",
      "detail-type": "Email Bounced",
      detail: {
        eventType: "Bounce",
        bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: email }] },
        mail: set ? { tags: { "ses:configuration-set": [set] } } : {},
      },
    });
    await handler(bounce("prod@example.org", "dm-prod"), {} as never);
    await handler(bounce("dev@example.org", "dm-dev"), {} as never);
    await handler(bounce("untagged@example.org"), {} as never);
    expect([...(await table.store.suppression.addresses())]).toEqual(["prod@example.org"]);
    await table.drop();
  });

  it("suppresses the recipients it can read, and logs the fields of those it cannot, never an address", async () => {
    process.env.TABLE_NAME ??= "unused";
    const { createHandler } = await import("../../functions/ses-feedback");
    const table = await testTable("supp-bad");
    const lines: string[] = [];
    // Powertools writes its lines to stdout (and warnings to stderr): keep both.
    const keep = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, "write").mockImplementation(keep),
      vi.spyOn(process.stderr, "write").mockImplementation(keep),
    ];
    try {
      const handler = createHandler(table.store.suppression, new Logger({ logLevel: "INFO" }), () => 1);
      const changed = {
        source: "aws.ses",
        "detail-type": "Email Bounced",
        detail: {
          eventType: "Bounce",
          bounce: {
            bounceType: "Permanent",
            bouncedRecipients: [
              { address: "moved@example.org" },
              { emailAddress: "" },
              null,
              { emailAddress: "truong@tnmt.example.org" },
            ],
          },
        },
      };
      expect(await handler(changed, {} as never)).toEqual({ suppressed: 1 });
      // An event SES shaped otherwise suppresses nothing, and says where.
      expect(await handler({ ...changed, detail: { eventType: "Bounce", bounce: [] } }, {} as never)).toEqual(
        {
          suppressed: 0,
        },
      );
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    // The readable recipient is suppressed; the others are named by their fields.
    expect([...(await table.store.suppression.addresses())]).toEqual(["truong@tnmt.example.org"]);
    const warnings = lines.filter((l) => l.includes("not understood")).map((l) => JSON.parse(l).fields);
    expect(warnings).toEqual([
      [
        "detail.bounce.bouncedRecipients.0.emailAddress",
        "detail.bounce.bouncedRecipients.1.emailAddress",
        "detail.bounce.bouncedRecipients.2.emailAddress",
      ],
      ["detail.bounce"],
    ]);
    expect(lines.join("\n")).not.toContain("@");
    await table.drop();
  });
});
