"""An upload handler that keeps files in memory and refuses one larger than
``SPEAKUP_MAX_ATTACHMENT_BYTES`` while it is being read: a concern's attachment is encrypted
before anything is written, so no plaintext copy ever lands in a temporary file."""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from candour.web.speakup.conf import config

TOO_LARGE_ATTRIBUTE = "candour_upload_too_large"


class BoundedMemoryUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.limit = config().max_attachment_bytes

    def receive_data_chunk(self, raw_data, start):
        if self.buffer.tell() + len(raw_data) > self.limit:
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
