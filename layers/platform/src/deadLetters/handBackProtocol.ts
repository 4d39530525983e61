/**
 * What the SQS functions' hand-back writes on a message it sends again or
 * dead-letters, and what the dead-letter tools read back: the message
 * attributes, and the delays a hand-back waits by. The functions hand messages
 * back (functions/sqs/handBack.ts); {@link DeadLetters} lists the reasons and
 * strips the try counters when it redrives a message.
 */
export const HAND_BACK_ATTRIBUTES = {
  /** Tries used up by earlier copies of this message (an outage re-send starts a new SQS message). */
  priorReceives: 'priorReceives',
  /** Re-sends because a service was down, and when that outage began (epoch ms). */
  outageRetries: 'outageRetries',
  outageSince: 'outageSince',
  /** Why a dead letter is dead: what failed, and on which try (the one String attribute; the others are Numbers). */
  reason: 'reason',
} as const;

/** Every attribute the hand-back adds: none follows a redriven message, which starts over with all its tries. */
export const HAND_BACK_ATTRIBUTE_NAMES: readonly string[] = Object.values(HAND_BACK_ATTRIBUTES);

/** SQS's longest message delay (`DelaySeconds`): no re-send waits longer. */
export const MAX_MESSAGE_DELAY_SECONDS = 900;

/** SQS's longest visibility timeout: no retry of an error of the input waits longer. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/**
 * How an outage is waited out unless a queue says otherwise: re-sends 5 s
 * apart, doubling to 5 minutes, for at least 15 minutes of the same outage
 * before a message starts using up its tries.
 */
export const OUTAGE_BACKOFF = { firstDelaySeconds: 5, maxDelaySeconds: 300, budgetSeconds: 900 } as const;
