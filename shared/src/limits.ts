/** The limits every part enforces alike (spec README.md "Limits"). */
export const limits = {
  /** Usernames: 3 to 32 of `A-Z a-z 0-9 _ . -`, unique without regard to case. */
  username: { pattern: /^[A-Za-z0-9_.-]{3,32}$/, min: 3, max: 32 },
  /** Passwords: 8 to 72 bytes of UTF-8 (bcrypt reads 72 bytes; longer is refused, never cut). */
  passwordBytes: { min: 8, max: 72 },
  /** Session names, in characters. */
  sessionName: { min: 1, max: 100 },
  /** Message content, in characters after trimming. */
  content: { min: 1, max: 4000 },
  /** Message `extra`: a JSON object of at most this many bytes serialized. */
  extraBytes: 8 * 1024,
  /** Message `extra`: nested objects and arrays, `extra` itself being the first level. */
  extraDepth: 16,
  /** Message `type` tag: 1 to 32 of `a-z 0-9 . _ -`. */
  messageType: /^[a-z0-9._-]{1,32}$/,
  /** The years a message's `timestamp` property (AMQP.md) and a trusted `created_at` may fall in, both included. */
  timestampYears: { min: 2000, max: 9999 },
  /** An AMQP message body, in bytes. */
  amqpBodyBytes: 64 * 1024,
  /** Members of one session. */
  membersPerSession: 10_000,
  /** A reaction's emoji or short name, in code points. */
  emoji: { min: 1, max: 32 },
  /** Distinct emoji one message keeps. */
  reactionsPerMessage: 50,
  /** An HTTP JSON body, in bytes. */
  httpBodyBytes: 1024 * 1024,
} as const;
