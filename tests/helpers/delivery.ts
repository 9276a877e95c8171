/** The delivery simulator lives with the local stack (the bench uses it too). */
export * from "../../dev/local/delivery";
