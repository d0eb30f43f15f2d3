// The registry service: RegistryState bound to a SchemaLog. Reads are answered from the state;
// writes are serialised, planned against a state that has caught up with the log, appended to the
// log and answered only once the log has acknowledged them and the state has applied them.
import type { CompatibilityLevel } from './compatibility.js';
import type { LogRecord } from './records.js';
import type { Planned, RegistryState, SchemaInput, VersionSpec } from './state.js';

/** Durable, ordered storage of the registry's records (Kafka in production, memory in tests). */
export interface SchemaLog {
  /**
   * Appends `records` (in order, all or none) and resolves once they are durable and the state has
   * applied them. Rejects with a StoreError (retriable) otherwise.
   */
  append(records: readonly LogRecord[]): Promise<void>;
  /** Resolves once every record in the log when the call was made has been applied. */
  sync(): Promise<void>;
}

export class Registry {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly state: RegistryState,
    private readonly log: SchemaLog,
  ) {}

  async register(subject: string, input: SchemaInput): Promise<{ id: number }> {
    // Already registered: no write (and no round trip to the log) needed.
    const id = this.state.registeredId(subject, input);
    if (id !== undefined) return { id };
    return this.write(() => this.state.planRegister(subject, input));
  }

  setLevel(subject: string | null, level: CompatibilityLevel): Promise<{ compatibility: CompatibilityLevel }> {
    return this.write(() => this.state.planSetLevel(subject, level));
  }

  deleteLevel(subject: string): Promise<{ compatibilityLevel: CompatibilityLevel }> {
    return this.write(() => this.state.planDeleteLevel(subject));
  }

  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.write(() => this.state.planDeleteSubject(subject, permanent));
  }

  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.write(() => this.state.planDeleteVersion(subject, spec, permanent));
  }

  /** Resolves once no write is in progress (for shutdown). */
  async drain(): Promise<void> {
    await this.tail;
  }

  /** One write at a time: each is planned against the state its predecessors left. */
  private write<T>(plan: () => Planned<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await this.log.sync();
      const planned = plan();
      if (planned.records.length > 0) await this.log.append(planned.records);
      return planned.result;
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
