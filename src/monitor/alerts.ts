// Alerts: a finding raised once per stable key (host + detector + subject), resolved when it is gone.
// The transition is pure; the store keeps the active set in memory and, for a local monitor, in
// <state_dir>/monitor-alerts.json, so a restarted monitor does not raise again what it already raised.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, writeFileAtomic } from '../state/files.js';
import { detectorByName } from './registry.js';
import type { Alert, AlertLine, Finding, Severity } from './types.js';

export const alertKey = (host: string, detector: string, subject: string): string => `${host}\u0000${detector}\u0000${subject}`;

export interface Transition {
  raised: Alert[];
  resolved: Alert[];
  active: Map<string, Alert>;
}

/**
 * `evaluated`: the detectors that ran for this host; an active alert of another host, or of a detector
 * that did not run (the host could not be reached), stays as it is.
 */
export function transition(active: ReadonlyMap<string, Alert>, host: string, findings: Finding[], evaluated: ReadonlySet<string>, now: Date): Transition {
  const next = new Map(active);
  const raised: Alert[] = [];
  const resolved: Alert[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const key = alertKey(host, f.detector, f.subject);
    if (seen.has(key)) continue;
    seen.add(key);
    const prev = next.get(key);
    if (prev) {
      // the same condition: keep the raise time and what was done about it; refresh what it says now
      next.set(key, { ...prev, message: f.message, context: f.context });
      continue;
    }
    const a: Alert = {
      key,
      host,
      detector: f.detector,
      subject: f.subject,
      severity: detectorByName(f.detector)?.severity ?? 'warning',
      message: f.message,
      context: f.context,
      raised_at: now.toISOString(),
      auto_action: null,
    };
    next.set(key, a);
    raised.push(a);
  }
  for (const [key, a] of active) {
    if (a.host !== host || !evaluated.has(a.detector) || seen.has(key)) continue;
    next.delete(key);
    resolved.push(a);
  }
  return { raised, resolved, active: next };
}

export function toLine(a: Alert, state: 'raised' | 'resolved' | 'active', now: Date): AlertLine {
  return {
    ts: now.toISOString(),
    host: a.host,
    detector: a.detector,
    subject: a.subject,
    severity: a.severity,
    state,
    message: a.message,
    context: a.context,
    auto_action: state === 'resolved' ? null : a.auto_action,
  };
}

/** `--once`: a detector that found nothing on this host. */
export function okLine(host: string, detector: { name: string; severity: Severity }, now: Date): AlertLine {
  return { ts: now.toISOString(), host, detector: detector.name, subject: '', severity: detector.severity, state: 'ok', message: 'ok', context: {}, auto_action: null };
}

export interface AlertStore {
  active: Map<string, Alert>;
  save(): void;
}

export function memoryStore(): AlertStore {
  return { active: new Map(), save() {} };
}

interface StoreFile {
  version: 1;
  alerts: Alert[];
}

/**
 * A store persisted atomically; a missing or unreadable file starts empty (at worst alerts are raised again).
 * `mayWrite` says whether its dir may be written to now (default: it exists).
 */
export function fileStore(file: string, mayWrite: () => boolean = () => fs.existsSync(path.dirname(file))): AlertStore {
  const raw = readJsonFile<StoreFile>(file);
  const alerts = raw && raw.version === 1 && Array.isArray(raw.alerts) ? raw.alerts.filter((a) => a && typeof a.key === 'string') : [];
  const store: AlertStore = {
    active: new Map(alerts.map((a) => [a.key, a])),
    save() {
      if (!mayWrite()) return; // no state dir of ours yet: nothing was ever run here
      const body: StoreFile = { version: 1, alerts: [...store.active.values()] };
      writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n');
    },
  };
  return store;
}

