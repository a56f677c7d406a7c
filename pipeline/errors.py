from schemas.errors import InputError, OneWindowError


class PipelineError(OneWindowError):
    """A stage could not do its work."""


class IngestError(InputError):
    """An upload cannot be decoded into page images; the message says why, in one line.

    `reason` is a stable code (see REASON_TEXT) so the citizen can be told in Chinese."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


REASON_TEXT = {
    "empty": "文件是空的",
    "too_large": "文件太大",
    "not_image": "不是图片或 PDF 文件",
    "too_many_pixels": "图片像素过大",
    "too_many_pages": "页数太多",
    "corrupt": "图片已损坏或不完整",
    "pdf_no_pages": "PDF 没有任何页面",
    "pdf_unreadable": "PDF 已损坏或已加密",
}
