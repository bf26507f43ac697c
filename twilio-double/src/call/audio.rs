//! `<Play>`: Twilio fetches the audio and plays it to its end, so a `<Play>` takes the file's own
//! length. The double fetches it too and reads a WAV's length from its header; audio it cannot
//! fetch or read (an MP3, an address outside this machine) plays in no time, as before.

use super::*;

impl Runner {
    /// Waits as long as the audio at `url` plays (scaled like every simulated wait).
    pub(super) async fn play_audio(&mut self, url: &str) -> Result<(), Break> {
        let Some(secs) = self.audio_length(url).await else {
            return Ok(());
        };
        let duration = scaled(secs, self.scale());
        self.wait(duration).await
    }

    async fn audio_length(&self, url: &str) -> Option<f64> {
        let fetch = self
            .double
            .http
            .get(url)
            .timeout(Duration::from_secs(2))
            .send();
        let bytes = fetch.await.ok()?.bytes().await.ok()?;
        wav_length_secs(&bytes)
    }
}

/// A WAV file's length in seconds: its `data` chunk over the format's bytes per second.
pub(crate) fn wav_length_secs(wav: &[u8]) -> Option<f64> {
    if wav.len() < 12 || &wav[0..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12;
    let mut byte_rate = None;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let size = u32::from_le_bytes(wav[at + 4..at + 8].try_into().ok()?) as usize;
        match id {
            b"fmt " if at + 20 <= wav.len() => {
                byte_rate = Some(u32::from_le_bytes(wav[at + 16..at + 20].try_into().ok()?));
            }
            b"data" => return Some(size as f64 / f64::from(byte_rate.filter(|r| *r > 0)?)),
            _ => {}
        }
        at = at.checked_add(8 + size + size % 2)?;
    }
    None
}
