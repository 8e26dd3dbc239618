import { CommitOffsetsRequest } from '@shoal/protocol';
import { checked } from '../../http/validation/schema-check.js';
import { parseProduceBatches } from '../../log/http/produce.dto.js';
import type { ProduceBatch } from '../../log/transactional-produce.js';

/** An offset commit's body, checked: its `produce` list as the produce route's records. */
export type CommitOffsetsBody = Omit<CommitOffsetsRequest, 'produce'> & { produce?: ProduceBatch[] };

/**
 * The body of `POST /v1/consumer-groups/{group}/offsets`: checked against the route table's
 * CommitOffsetsRequest, its `produce` list (consume-transform-produce) by the produce route's
 * record checks and limits.
 */
export function parseCommitOffsets(body: unknown, maxRecordBytes: number): CommitOffsetsBody {
  const fields = checked(CommitOffsetsRequest, body, 'body', 'produce') as CommitOffsetsRequest;
  if (fields.produce === undefined) return fields as CommitOffsetsBody;
  return { ...fields, produce: parseProduceBatches(fields.produce, 'produce', maxRecordBytes, { records: 0 }) };
}
