/**
 * Thrown by a share-group handler to reject its record: it is archived at once (and copied to
 * the group's dead-letter topic, if one is configured), never delivered again.
 */
export class ShoalRejectException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShoalRejectException';
  }
}
