"""transcript-api: YouTube captions and speech-to-text (STT) as queued jobs.

`POST /v1/captions` answers from YouTube's captions (yt-dlp, off the event loop);
`POST /v1/stt/jobs` queues a Whisper transcription that the worker runs (download,
silence-based chunking with ffmpeg, concurrent transcription, merge, clean).
"""
