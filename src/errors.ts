// The documented exit codes (docs/commands.md). serve's systemd unit relies on 78 never being restarted.
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
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
