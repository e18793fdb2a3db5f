"""model-trainer's error codes (the original's names) and their HTTP statuses.

RUN/TOKENIZER/CORPUS/EVAL/DATA_NOT_FOUND 404, UNSUPPORTED_BACKEND and INVALID_MODEL_SIZE
400, CORPUS_TOO_LARGE 413, as the original mapped them.
"""

from enum import StrEnum
from http import HTTPStatus

from platform_core.errors import AppError


class TrainerErrorCode(StrEnum):
    """The codes this service answers with besides the platform's."""

    RUN_NOT_FOUND = "RUN_NOT_FOUND"
    TOKENIZER_NOT_FOUND = "TOKENIZER_NOT_FOUND"
    CORPUS_NOT_FOUND = "CORPUS_NOT_FOUND"
    EVAL_NOT_FOUND = "EVAL_NOT_FOUND"
    DATA_NOT_FOUND = "DATA_NOT_FOUND"
    UNSUPPORTED_BACKEND = "UNSUPPORTED_BACKEND"
    INVALID_MODEL_SIZE = "INVALID_MODEL_SIZE"
    CORPUS_TOO_LARGE = "CORPUS_TOO_LARGE"


STATUS: dict[TrainerErrorCode, HTTPStatus] = {
    TrainerErrorCode.RUN_NOT_FOUND: HTTPStatus.NOT_FOUND,
    TrainerErrorCode.TOKENIZER_NOT_FOUND: HTTPStatus.NOT_FOUND,
    TrainerErrorCode.CORPUS_NOT_FOUND: HTTPStatus.NOT_FOUND,
    TrainerErrorCode.EVAL_NOT_FOUND: HTTPStatus.NOT_FOUND,
    TrainerErrorCode.DATA_NOT_FOUND: HTTPStatus.NOT_FOUND,
    TrainerErrorCode.UNSUPPORTED_BACKEND: HTTPStatus.BAD_REQUEST,
    TrainerErrorCode.INVALID_MODEL_SIZE: HTTPStatus.BAD_REQUEST,
    TrainerErrorCode.CORPUS_TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
}


def trainer_error(code: TrainerErrorCode, message: str) -> AppError:
    """The `AppError` of `code` with its status."""
    return AppError(code, message, STATUS[code])
