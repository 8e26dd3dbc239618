import { Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import type { AppendRecord } from '../../domain/log/record.js';
import { ShoalMetrics } from '../../metrics/shoal-metrics.js';
import { Database } from '../../storage/database.js';
import { GroupCommit } from '../../common/group-commit.js';
import { type AppendRequest, LogAppender } from './log-appender.js';
import { JobProduceService } from '../jobs/job-produce.service.js';

/** Records per transaction at most; a larger backlog is split over several commits. */
const MAX_RECORDS_PER_COMMIT = 50_000;

/**
 * Appends validated records. Concurrent requests share one transaction (group commit); each
 * request is still all or nothing, and is answered only after its transaction committed.
 */
@Injectable()
export class ProduceService {
  private readonly commits = new GroupCommit<AppendRequest, RecordPosition[]>(
    async (batch) => {
      const result = await this.database.transaction((sql) => this.appender.append(sql, batch));
      this.appender.announce(result.heads);
      result.outcomes.forEach((outcome, i) => {
        if (outcome.ok)
          this.metrics.produced(
            batch[i].topic,
            batch[i].records.length,
            batch[i].records.reduce((n, r) => n + r.size, 0),
          );
      });
      return result.outcomes;
    },
    (request) => request.records.length,
    MAX_RECORDS_PER_COMMIT,
  );

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    private readonly metrics: ShoalMetrics,
    private readonly jobs: JobProduceService,
  ) {}

  async produce(topic: string, records: AppendRecord[]): Promise<RecordPosition[]> {
    // Scheduled records and idempotency keys take a transaction of their own (issue 16).
    if (records.some(JobProduceService.wants)) return this.jobs.produce(topic, records);
    return this.commits.submit({ topic, records });
  }
}
