import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
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
});
