"""Test support for transcript-api: fake YouTube (reached by the real yt-dlp through an
extractor plugin), fake OpenAI transcription API, generated audio, servers on loopback."""
