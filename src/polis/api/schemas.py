from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldErrorOut]


class MessageOut(Schema):
    detail: str
