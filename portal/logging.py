"""Log filters. No raw phone number, ID number, e-mail address or one-time code reaches a log line.

``MaskPersonalDataFilter`` is attached to the handlers in ``settings.LOGGING``; a handler added
elsewhere must carry it too. It masks the formatted message and the traceback text.
"""

import logging
import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+)")
# One-time codes inside message texts (an SMS logged by the logging SMS backend).
_ONE_TIME_CODE = re.compile(
    r"(激活码|验证码|activation code|verification code)(\s*[：:]?\s*)[A-Za-z0-9]{4,}", re.I
)


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1********\2", text)
    text = _PHONE.sub(r"\1****\2", text)
    text = _ONE_TIME_CODE.sub(r"\1\2********", text)
    return _EMAIL.sub(r"\1***\2", text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the handler's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
