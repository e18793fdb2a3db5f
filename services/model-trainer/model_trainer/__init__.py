"""model-trainer: tokenizers and small causal language models trained, evaluated and
served as queued jobs.

The ML core (`corpus`, `text_tokenizers`, `families`, `training`, `inference`, `device`)
is synchronous and runs in the worker's threads; the API enqueues typed tasks on the
`trainer` queue and reads their status back.
"""
