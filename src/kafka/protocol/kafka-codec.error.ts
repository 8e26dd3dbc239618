/** A frame the codec cannot read or a value it cannot write: the connection that sent it is closed. */
export class KafkaCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaCodecError';
  }
}
