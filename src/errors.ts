// The documented exit codes (docs/commands.md). serve's systemd unit relies on 3 and 78 never being restarted.
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  /**
   * serve stopped itself and a person must act first: an auth failure, the crash-loop breaker. Its own code,
   * so a unit, a script or the monitor can tell it from a crash (1), which a restart may heal.
   */
  HALTED: 3,
  /** the loop is paused on a usage limit */
  PAUSED: 75,
  /** broken config or failed preflight: restarting cannot help */
  CONFIG: 78,
} as const;

/** An error meant for a person: printed as one line, never with a stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.FAILURE) {
    super(message);
    this.name = 'UserError';
  }
}

export class ConfigError extends UserError {
  constructor(message: string) {
    super(message, EXIT.CONFIG);
    this.name = 'ConfigError';
  }
}
