/** A connector's part in the delivery at exit: see {@link watchExit}. */
export interface ExitParticipant {
  /**
   * Called when the process is about to exit on its own. Starts what must happen then (a bounded
   * delivery of the queue, a report) and returns at once; it must start nothing twice for the
   * same metrics, since work it starts makes the event loop run, and `beforeExit` come, again.
   */
  beforeExit(): void;
}

const participants = new Set<ExitParticipant>();

function onBeforeExit(): void {
  // A copy: a participant may leave while the others run.
  for (const participant of [...participants]) participant.beforeExit();
}

/**
 * Calls `participant.beforeExit()` when the process is about to exit on its own (its event loop
 * is empty: a script returned without `stop()`), so that what the connector holds is not lost
 * with it. One `beforeExit` listener serves every participant, and it is there only while one
 * is: the listener keeps nothing alive by itself.
 */
export function watchExit(participant: ExitParticipant): void {
  if (participants.size === 0) process.on('beforeExit', onBeforeExit);
  participants.add(participant);
}

/** Undoes {@link watchExit}; the listener goes with the last participant. */
export function unwatchExit(participant: ExitParticipant): void {
  if (participants.delete(participant) && participants.size === 0) {
    process.removeListener('beforeExit', onBeforeExit);
  }
}
