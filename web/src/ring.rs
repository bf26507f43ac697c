//! The ringtone: a WebAudio oscillator (no audio file), 1 s on and 2 s off, until dropped.

use web_sys::AudioContext;

/// How many on/off cycles are scheduled; longer than any ring timeout.
const CYCLES: u32 = 40;

/// A playing ringtone; dropping it stops the sound and frees the audio device.
pub(crate) struct Ringtone {
    context: AudioContext,
}

impl Ringtone {
    /// Starts ringing; `None` when the browser has no WebAudio (the card still shows the call).
    pub(crate) fn start() -> Option<Ringtone> {
        let context = AudioContext::new().ok()?;
        let oscillator = context.create_oscillator().ok()?;
        oscillator.frequency().set_value(400.0);
        let gain = context.create_gain().ok()?;
        let level = gain.gain();
        level.set_value(0.0);
        let start = context.current_time();
        for cycle in 0..CYCLES {
            let at = start + f64::from(cycle) * 3.0;
            let _ = level.set_value_at_time(0.15, at);
            let _ = level.set_value_at_time(0.0, at + 1.0);
        }
        oscillator.connect_with_audio_node(&gain).ok()?;
        gain.connect_with_audio_node(&context.destination()).ok()?;
        oscillator.start().ok()?;
        // A context created without a user gesture may start suspended; the iframe is allowed
        // autoplay by the loader, so resuming normally succeeds.
        let _ = context.resume();
        Some(Ringtone { context })
    }
}

impl Drop for Ringtone {
    fn drop(&mut self) {
        let _ = self.context.close();
    }
}
