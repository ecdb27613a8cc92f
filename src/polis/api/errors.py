"""How domain errors reach the app: a JSON body with a Russian `detail` and a stable `code`."""

from http import HTTPStatus


class ApiError(Exception):
    """Raised by API handlers; turned into {"detail": ..., "code": ...} with the given status."""

    def __init__(self, detail: str, *, code: str = "invalid", status: int = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status
