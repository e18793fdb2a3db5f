"""qr-api's settings: the platform's service settings plus the original's QR defaults.

| Variable | Default | Meaning |
|---|---|---|
| `PORT` | 8002 | TCP port (and `HOST`, `LOG_LEVEL`, ... from `ServiceSettings`) |
| `QR_DEFAULT_ERROR_CORRECTION` | `M` | `ecc` when a request leaves it out |
| `QR_DEFAULT_BOX_SIZE` | 10 | `box_size` when a request leaves it out |
| `QR_DEFAULT_BORDER` | 1 | `border` when a request leaves it out |
| `QR_DEFAULT_FILL_COLOR` | `#000000` | `fill_color` when a request leaves it out |
| `QR_DEFAULT_BACK_COLOR` | `#FFFFFF` | `back_color` when a request leaves it out |
| `QR_RENDER_WORKERS` | CPU count | render processes |
| `QR_MAX_BODY_BYTES` | 16384 | larger request bodies are refused with 413 |

The defaults obey the request's own rules and messages (`QR_DEFAULT_BOX_SIZE=30` fails
startup with `box_size must be between 5 and 20`), as in the original. Empty values
count as unset.
"""

import os
from typing import Annotated

from pydantic import BeforeValidator, Field

from platform_core.config import Port, ServiceSettings
from qr_api.request import (
    BORDER_MAX,
    BORDER_MIN,
    BOX_SIZE_MAX,
    BOX_SIZE_MIN,
    MSG_BORDER,
    MSG_BOX_SIZE,
    Ecc,
    QrOptions,
    parse_color,
    parse_ecc,
    parse_int,
)

DEFAULT_PORT = 8002
_BUILT_IN = QrOptions()


def _ecc(value: object) -> object:
    return parse_ecc(value, _BUILT_IN.ecc) if isinstance(value, str) else value


def _box_size(value: object) -> object:
    if isinstance(value, str):
        return parse_int(value, _BUILT_IN.box_size, BOX_SIZE_MIN, BOX_SIZE_MAX, MSG_BOX_SIZE)
    return value


def _border(value: object) -> object:
    if isinstance(value, str):
        return parse_int(value, _BUILT_IN.border, BORDER_MIN, BORDER_MAX, MSG_BORDER)
    return value


def _color(value: object) -> object:
    return parse_color(value, "") if isinstance(value, str) else value


def _cpu_count() -> int:
    return os.cpu_count() or 1


class QrSettings(ServiceSettings):
    """Everything qr-api reads from the environment, once, at startup."""

    port: Port = Field(default=DEFAULT_PORT, description="TCP port (0-65535)")
    qr_default_error_correction: Annotated[Ecc, BeforeValidator(_ecc)] = Field(
        default=_BUILT_IN.ecc, description="L, M, Q or H"
    )
    qr_default_box_size: Annotated[int, BeforeValidator(_box_size)] = Field(
        default=_BUILT_IN.box_size, description=f"{BOX_SIZE_MIN}-{BOX_SIZE_MAX}"
    )
    qr_default_border: Annotated[int, BeforeValidator(_border)] = Field(
        default=_BUILT_IN.border, description=f"{BORDER_MIN}-{BORDER_MAX}"
    )
    qr_default_fill_color: Annotated[str, BeforeValidator(_color)] = Field(
        default=_BUILT_IN.fill_color, description="#RGB or #RRGGBB"
    )
    qr_default_back_color: Annotated[str, BeforeValidator(_color)] = Field(
        default=_BUILT_IN.back_color, description="#RGB or #RRGGBB"
    )
    qr_render_workers: int = Field(
        default_factory=_cpu_count, ge=1, le=64, description="render processes (1-64)"
    )
    qr_max_body_bytes: int = Field(
        default=16384, ge=2048, le=1048576, description="request body limit (2048-1048576)"
    )

    def qr_defaults(self) -> QrOptions:
        """The options a request's missing fields take."""
        return QrOptions(
            ecc=self.qr_default_error_correction,
            box_size=self.qr_default_box_size,
            border=self.qr_default_border,
            fill_color=self.qr_default_fill_color,
            back_color=self.qr_default_back_color,
        )
