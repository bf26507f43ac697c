// Type declarations for the Tsunagu host API that `embed.js` installs as `window.Tsunagu`.
// See web/INTEGRATION.md. Host <-> widget messages are versioned (`tsunagu: 1`); a widget of
// another major version is refused with an `error` event whose code is `incompatible_host`.

export type AwayReason = 'break' | 'lunch' | 'meeting' | 'training' | 'other';

/** What `setPresence` accepts: the statuses an agent may pick. */
export type RequestedPresence = 'available' | 'offline' | { away: AwayReason };

/** What `presence` events report; the server sets the others (ringing, on a call, wrap-up). */
export type Presence =
  | 'available'
  | 'offline'
  | 'reserved'
  | 'on_call'
  | 'wrap_up'
  | { away: AwayReason | 'missed_offer' | 'no_answer' };

export interface InitOptions {
  /** Tenant id; defaults to the script tag's `data-tenant`. */
  tenant?: string;
  /**
   * Called whenever the widget needs a new session (first sign-in, a refused or expiring session).
   * Resolve with a fresh embed token your backend signed (README, "Signing agents in").
   */
  getEmbedToken: () => Promise<string>;
  /** UI language; defaults to the browser's. */
  lang?: 'ja' | 'en';
}

export interface Customer {
  id: string;
  name: string;
  owner: string | null;
}

export type ErrorCode =
  | 'token_expired'
  | 'token_invalid'
  | 'token_not_yet_valid'
  | 'unknown_tenant'
  | 'session_refused'
  | 'token_unavailable'
  | 'network'
  | 'session_lost'
  | 'not_signed_in'
  | 'rejected'
  | 'invalid_presence'
  | 'incompatible_host'
  | 'incompatible_protocol'
  | 'voice_unavailable'
  /** The phone line's token expired and no fresh one could be fetched. */
  | 'voice_token_expired'
  /** Twilio refused the phone line's token (a configuration problem). */
  | 'voice_token_invalid'
  /** No microphone, or its use was refused. */
  | 'voice_microphone'
  /** The phone service (Twilio) cannot be reached: network, proxy or firewall. */
  | 'voice_network'
  /** Any other phone-line error. */
  | 'voice_error'
  | 'not_supported'
  | 'already_initialized';

export interface TsunaguEvents {
  /** The widget answered the loader's handshake; `version` is the widget build. */
  ready: { version: string };
  'signed-in': { agent: string; name: string };
  'signed-out': { reason: string };
  presence: { status: Presence };
  /** A call rings this agent (the widget already acknowledged it to the server). */
  ring: { conversation: string; caller: string | null; customer: Customer | null };
  accepted: { conversation: string };
  ended: { conversation: string };
  /** `message` is English, for logs; the widget shows the agent a localized text. */
  error: { code: ErrorCode | string; message: string };
}

export interface TsunaguApi {
  /** Version of embed.js, e.g. "1.0.0"; its major is the host-message version. */
  readonly version: string;
  /** Starts sign-in. Call once. Throws a TypeError without `getEmbedToken`. */
  init(options: InitOptions): void;
  setPresence(state: RequestedPresence): void;
  /** Click-to-dial: not available yet; emits `error` with code `not_supported`. */
  dial(number: string, options?: { customerId?: string }): void;
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<E extends keyof TsunaguEvents>(event: E, handler: (detail: TsunaguEvents[E]) => void): () => void;
}

declare global {
  interface Window {
    /** Present once embed.js has run (it dispatches `tsunagu:loaded` on `window`). */
    Tsunagu?: TsunaguApi;
  }
  interface WindowEventMap {
    'tsunagu:loaded': Event;
  }
}
