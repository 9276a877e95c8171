import type { AttributeValue, TransactWriteItemsCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * DynamoDB's billing arithmetic, as documented: an item's size is the sum of its attribute names
 * and values (strings and binary by their bytes, numbers ~1 byte per 2 significant digits + 1,
 * booleans and nulls 1 byte, lists and maps 3 bytes + 1 per element + their contents), and a
 * transactional write costs 2 write units per item per started KB.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function attributeSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+|e.*$/gi, "").length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((s, v) => s + 1 + attributeSize(v), 0);
  if (value.M !== undefined)
    return (
      3 + Object.entries(value.M).reduce((s, [k, v]) => s + 1 + Buffer.byteLength(k) + attributeSize(v), 0)
    );
  if (value.SS !== undefined) return value.SS.reduce((s, v) => s + Buffer.byteLength(v), 0);
  if (value.NS !== undefined) return value.NS.reduce((s, v) => s + v.length, 0);
  return 0;
}

export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k) + attributeSize(v), 0);
}

/** Write units one TransactWriteItems costs (an Update's item is estimated from its key and values). */
export function billedTransactionWriteUnits(tx: TransactWriteItemsCommandInput): number {
  let units = 0;
  for (const item of tx.TransactItems ?? []) {
    let size = 0;
    if (item.Put?.Item) size = itemSize(item.Put.Item);
    else if (item.Update) {
      size = itemSize(item.Update.Key ?? {}) + itemSize(item.Update.ExpressionAttributeValues ?? {});
      size += Object.values(item.Update.ExpressionAttributeNames ?? {}).reduce(
        (s, n) => s + Buffer.byteLength(n),
        0,
      );
    } else if (item.Delete?.Key) size = itemSize(item.Delete.Key);
    else if (item.ConditionCheck?.Key) size = itemSize(item.ConditionCheck.Key);
    units += 2 * Math.max(1, Math.ceil(size / 1024));
  }
  return units;
}
