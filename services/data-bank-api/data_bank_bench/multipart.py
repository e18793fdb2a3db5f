"""The benchmark's upload bodies: one-part `multipart/form-data` around the file's bytes."""

BOUNDARY = "databank-bench-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart_parts(content_type: str = "application/octet-stream") -> tuple[bytes, bytes]:
    """The bytes before and after the file in a one-part form body."""
    before = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="bench"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    after = f"\r\n--{BOUNDARY}--\r\n".encode()
    return before, after


def small_body(connection: int, number: int, size: int) -> bytes:
    """A distinct `size`-byte multipart file body."""
    stamp = f"{connection}:{number}:".encode()
    content = (stamp * (size // len(stamp) + 1))[:size]
    before, after = multipart_parts()
    return before + content + after


def uploaded_id(answer: bytes) -> str:
    """The `file_id` of an upload's JSON answer."""
    return answer.split(b'"file_id":"')[1][:64].decode()
