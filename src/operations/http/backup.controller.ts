import { open } from 'node:fs/promises';
import { Controller, HttpCode, Post, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BackupService } from '../backup.service.js';

/** `POST /v1/admin/backup`: a consistent copy of the SQLite database, streamed as the answer. */
@Controller('v1/admin')
export class BackupController {
  constructor(private readonly backups: BackupService) {}

  @Post('backup')
  @HttpCode(200)
  async backup(@Res({ passthrough: true }) reply: FastifyReply): Promise<StreamableFile> {
    const copy = await this.backups.take();
    try {
      // Opened, then removed from the directory: the open handle keeps the bytes until the
      // answer is sent, and nothing is left behind whatever happens to the connection.
      const handle = await open(copy.path);
      await copy.discard();
      const { size } = await handle.stat();
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      reply.header('content-type', 'application/vnd.sqlite3');
      reply.header('content-length', String(size));
      reply.header('content-disposition', `attachment; filename="shoal-backup-${stamp}.db"`);
      return new StreamableFile(handle.createReadStream());
    } catch (error) {
      await copy.discard();
      throw error;
    }
  }
}
