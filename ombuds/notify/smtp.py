"""Handing one email to the SMTP server so that a crash can lose it at worst, never send it twice.

The outbox marks a message sent in the database just before the final "." of the SMTP DATA
command, the moment the server commits the message. A worker killed before that leaves the
message unsent for the server (which drops an unfinished transaction) and unsent in the
database, so it is sent again later; the only window for a loss is writing those three
bytes. Sending after the server's "250" would instead risk a second copy on every crash.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import Message

from django.conf import settings


class RefusedAfterCommit(smtplib.SMTPDataError):
    """The server refused the message after its final ".": it was recorded as sent, and it
    was not; it is to be sent again."""


class CarefulSMTP:
    """One SMTP connection per batch, with the commit hook described above."""

    def __init__(self) -> None:
        cls = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
        self.connection = cls(
            settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT
        )
        # The final "." goes as its own small packet after the body: without TCP_NODELAY the
        # kernel holds it until the server's delayed ACK (~40 ms an email).
        if self.connection.sock is not None:
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection.ehlo_or_helo_if_needed()
        if settings.EMAIL_USE_TLS:
            self.connection.starttls(context=ssl.create_default_context())
            self.connection.ehlo()
        if settings.EMAIL_HOST_USER:
            self.connection.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)

    def send(
        self,
        message: Message,
        sender: str,
        recipients: list[str],
        commit: Callable[[], Callable[[], None]],
    ) -> None:
        """Send one message; `commit` runs after the whole body reached the server, before ".";
        what it returns is called after the "." (to read the database's answer)."""
        connection = self.connection
        code, reply = connection.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                connection.rset()
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        connection.putcmd("data")
        code, reply = connection.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = smtplib._quote_periods(message.as_bytes(linesep="\r\n"))  # type: ignore[attr-defined]
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        connection.send(body)
        finish = commit()
        connection.send(b".\r\n")
        finish()
        code, reply = connection.getreply()
        if code != 250:
            raise RefusedAfterCommit(code, reply)

    def close(self) -> None:
        try:
            self.connection.quit()
        except smtplib.SMTPException:
            self.connection.close()
