//! The bundled hold music: a short, royalty-free tune of our own (an arpeggio over C–Am–F–G with
//! a soft bass), synthesised here so that no third party's recording or licence is involved.
//! 16-bit PCM WAV at 8 kHz mono, the telephone's own rate, which Twilio's `<Play>` takes as is.

/// Samples per second: a phone call's audio is 8 kHz, so anything finer is wasted.
pub(crate) const SAMPLE_RATE: u32 = 8_000;
/// How long the tune lasts, in seconds: after it, Twilio asks the waitUrl again (the caller hears
/// their place once per tune).
pub(crate) const LENGTH_SECS: u32 = 12;
/// One arpeggio note, in samples (0.3 s: ten notes per chord).
const NOTE_SAMPLES: usize = 2_400;

/// Chord tones (Hz) of C, Am, F and G in the fourth/fifth octave, and each chord's bass note.
const CHORDS: [([f32; 4], f32); 4] = [
    ([261.63, 329.63, 392.00, 523.25], 130.81),
    ([220.00, 261.63, 329.63, 440.00], 110.00),
    ([174.61, 220.00, 261.63, 349.23], 87.31),
    ([196.00, 246.94, 293.66, 392.00], 98.00),
];
/// Which chord tone each of a chord's ten notes plays: up and back down.
const PATTERN: [usize; 10] = [0, 1, 2, 3, 2, 1, 0, 1, 2, 1];

/// The tune as a complete WAV file.
pub fn hold_music() -> Vec<u8> {
    let samples = tune();
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX);
    let mut wav = Vec::with_capacity(44 + samples.len() * 2);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    wav.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per sample
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        wav.extend_from_slice(&sample.to_le_bytes());
    }
    wav
}

fn tune() -> Vec<i16> {
    let total = (SAMPLE_RATE * LENGTH_SECS) as usize;
    let chord_samples = total / CHORDS.len();
    let rate = SAMPLE_RATE as f32;
    let mut mix = vec![0f32; total];
    for (index, (tones, bass)) in CHORDS.iter().enumerate() {
        let start = index * chord_samples;
        // The bass holds the whole chord, fading slowly.
        for n in 0..chord_samples {
            let t = n as f32 / rate;
            mix[start + n] += 0.25 * envelope(t, 0.6) * sine(*bass, t);
        }
        for (step, tone) in PATTERN.iter().enumerate() {
            let note_start = start + step * NOTE_SAMPLES;
            // Each note rings on under the next ones (a plucked sound), up to the chord's end.
            for n in 0..(start + chord_samples - note_start) {
                let t = n as f32 / rate;
                let frequency = tones[*tone];
                let voice = sine(frequency, t) + 0.3 * sine(2.0 * frequency, t);
                mix[note_start + n] += 0.22 * envelope(t, 3.5) * voice;
            }
        }
    }
    let peak = mix.iter().fold(0f32, |peak, s| peak.max(s.abs())).max(1e-6);
    // Half of full scale: hold music should sit below the announcements.
    let gain = 0.5 * f32::from(i16::MAX) / peak;
    let fade = (SAMPLE_RATE / 50) as usize; // 20 ms at each end, so the loop never clicks
    mix.iter()
        .enumerate()
        .map(|(n, s)| {
            let edge = n.min(total - 1 - n);
            let fade_gain = if edge < fade {
                edge as f32 / fade as f32
            } else {
                1.0
            };
            (s * gain * fade_gain) as i16
        })
        .collect()
}

fn sine(frequency: f32, t: f32) -> f32 {
    (std::f32::consts::TAU * frequency * t).sin()
}

/// A 5 ms attack, then an exponential decay at `decay` per second.
fn envelope(t: f32, decay: f32) -> f32 {
    (t / 0.005).min(1.0) * (-decay * t).exp()
}
