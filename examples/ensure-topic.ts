import { ShoalApiError, ShoalHttpClient } from '@shoal/client';
import { ErrorCode } from '@shoal/protocol';

/** Creates the topic unless it exists, so the examples run against a fresh broker. */
export async function ensureTopic(url: string, name: string, partitions = 3): Promise<void> {
  const http = new ShoalHttpClient({ url });
  try {
    await http.createTopic({ name, partitions });
  } catch (error) {
    if (!(error instanceof ShoalApiError && error.code === ErrorCode.TopicAlreadyExists)) throw error;
  } finally {
    await http.close();
  }
}
