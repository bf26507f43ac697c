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
  /**
   * An element (or a selector) the widget should fill, e.g. the CRM's side panel; defaults to the
   * script tag's `data-container`, else the widget floats bottom-right.
   */
  container?: string | Element;
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
  | 'already_initialized'
  | 'invalid_number'
  | 'agent_busy'
  | 'dial_failed'
  /** The tenant's dial policy refused the number; the event's `reason` says why. */
  | 'dial_refused'
  | 'transfer_target_busy'
  | 'transfer_number_invalid'
  /** `container` / `data-container` named no element; the widget floats instead. */
  | 'container_not_found';

/** Why the tenant's dial policy refused a number (`error` events with code `dial_refused`). */
export type DialRefusalReason =
  | 'premium_rate'
  | 'shared_cost'
  | 'satellite'
  | 'international'
  | 'international_supervisors_only'
  | 'kind_not_allowed'
  /** The agent placed too many calls within the policy's window (default 10 a minute). */
  | 'agent_rate_limit'
  /** The tenant has too many outbound calls at once (default 20). */
  | 'tenant_outbound_limit';

export interface TsunaguEvents {
  /** The widget answered the loader's handshake; `version` is the widget build. */
  ready: { version: string };
  'signed-in': { agent: string; name: string };
  'signed-out': { reason: string };
  presence: { status: Presence };
  /** A call rings this agent (the widget already acknowledged it to the server). */
  ring: { conversation: string; caller: string | null; customer: Customer | null };
  /** `Tsunagu.dial` placed the call: the agent's line is connecting, then the customer rings. */
  dialing: { conversation: string; to: string; customer: { id: string; name: string } | null };
  accepted: { conversation: string };
  /** The agent put the caller on hold. */
  hold: { conversation: string };
  /** The caller is back from hold. */
  resumed: { conversation: string };
  /** This page showed a desktop notification of an incoming call (its `tag` is the conversation). */
  notification: { tag: string };
  /**
   * The agent's part of the call ended; `log` is the stitched conversation (null if not settled
   * within ~5 s). `wrap_up_follows`: the agent is in wrap-up now, and `wrap_up` follows with the
   * outcome and notes when they save it.
   */
  ended: { conversation: string; log: Record<string, unknown> | null; wrap_up_follows: boolean };
  /**
   * The agent saved their wrap-up. `outcome` is a code (`resolved`, `follow_up`, `escalated`,
   * `wrong_number`) or null; `conversation` is null when the widget opened during the wrap-up.
   */
  wrap_up: { conversation: string | null; outcome: string | null; notes: string | null };
  /** The agent pressed Cancel on the number `Tsunagu.dial` showed; nothing was dialled. */
  dial_cancelled: { to: string };
  /**
   * `message` is English, for logs; the widget shows the agent a localized text. `reason` comes
   * with `dial_refused` only.
   */
  error: { code: ErrorCode | string; message: string; reason?: DialRefusalReason };
}

export interface TsunaguApi {
  /** Version of embed.js, e.g. "1.0.0"; its major is the host-message version. */
  readonly version: string;
  /** Starts sign-in. Call once. Throws a TypeError without `getEmbedToken`. */
  init(options: InitOptions): void;
  setPresence(state: RequestedPresence): void;
  /**
   * Click-to-call as the signed-in agent: `number` as the CRM shows it (03-…, 090…, 0120…, +81…).
   * Does not dial by itself: the widget shows the number with Call / Cancel and the call starts
   * on the agent's click (unless the tenant set `direct_dial_from_host`); Cancel emits
   * `dial_cancelled`. Then emits `dialing`, `accepted` and `ended`; or `error` with code
   * `invalid_number`, `agent_busy`, `not_signed_in`, `dial_failed` or `dial_refused` (the tenant's
   * dial policy: premium-rate, shared-cost and international numbers are refused by default).
   * `customerId` names the CRM record for the log.
   */
  dial(number: string, options?: { customerId?: string }): void;
  /**
   * Asks the agent (from a click) to allow desktop notifications of incoming calls; only the tab
   * that owns the agent's phone shows them, one per call.
   */
  enableNotifications(): Promise<NotificationPermission | 'unsupported'>;
  /**
   * Folds the floating widget down to its header (`true`) or unfolds it (`false`); a ringing or
   * dialled call unfolds it by itself. No effect on a widget in a container.
   */
  setMinimized(minimized: boolean): void;
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
