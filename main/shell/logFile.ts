import { join } from 'node:path';
import log from 'electron-log/node';

/** Past this size the log is moved to `main.old.log` and a new one begun (electron-log's rotation). */
export const LOG_MAX_BYTES = 2 * 1024 * 1024;

export interface LogFile {
  file: string;
  /** Writes a line (also to the console, as before). */
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
}

/**
 * The desktop app's log: `<data home>/logs/main.log`, rotated at LOG_MAX_BYTES (one older file
 * kept), private to the user, through electron-log's file transport. The app's console output
 * (its warnings and errors, the core's included) goes there too, so a user can send it; the
 * About panel says where it is.
 */
export function startLogFile(
  dataDir: string,
  options: { captureConsole?: boolean; echo?: boolean } = {},
): LogFile {
  const file = join(dataDir, 'logs', 'main.log');
  const logger = log.create({ logId: `pathwise-${dataDir}` });
  // Its default path needs the app's name (from package.json beside the process); ours is given.
  logger.transports.file.setAppName('Pathwise');
  logger.transports.file.resolvePathFn = () => file;
  logger.transports.file.maxSize = LOG_MAX_BYTES;
  logger.transports.file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  logger.transports.file.level = 'info';
  logger.transports.console.level = false;
  const consoleError = console.error.bind(console);
  // A log that can't be written (a full disk) says so on the console, once a message.
  (logger as { processInternalErrorFn?: (error: unknown) => void }).processInternalErrorFn = (error) =>
    consoleError('pathwise: the log file:', error);
  const write =
    (level: 'info' | 'warn' | 'error', original: (...parts: unknown[]) => void) =>
    (...parts: unknown[]): void => {
      if (options.echo !== false) original(...parts);
      logger[level](...parts);
    };
  const out: LogFile = {
    file,
    info: write('info', console.log.bind(console)),
    warn: write('warn', console.warn.bind(console)),
    error: write('error', console.error.bind(console)),
  };
  if (options.captureConsole) {
    console.log = out.info;
    console.info = out.info;
    console.warn = out.warn;
    console.error = out.error;
  }
  return out;
}
