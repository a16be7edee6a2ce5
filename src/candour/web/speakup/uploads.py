"""An upload handler that keeps files in memory and refuses more than
``SPEAKUP_MAX_ATTACHMENT_BYTES`` in all while they are being read: a concern's attachment is
encrypted before anything is written, so no plaintext copy ever lands in a temporary file.

Only the field named ``attachment`` is read (any other file field is skipped unread), and the
limit is for the whole request, not per file, so a request cannot hold more than the limit in
memory however many parts it sends (``DATA_UPLOAD_MAX_NUMBER_FILES`` also allows one file)."""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from candour.web.speakup.conf import config

TOO_LARGE_ATTRIBUTE = "candour_upload_too_large"
FILE_FIELD = "attachment"  # the one file field of every Candour form


class BoundedMemoryUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = config().max_attachment_bytes
        self.received = 0  # bytes of files in this request so far

    def new_file(self, field_name, *args, **kwargs):
        if field_name != FILE_FIELD:
            raise SkipFile
        super().new_file(field_name, *args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                setattr(self.request, TOO_LARGE_ATTRIBUTE, True)
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
