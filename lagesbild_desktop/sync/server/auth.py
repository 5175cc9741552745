"""Passwords (argon2), tokens (random, stored as sha256) and the devices they are bound to."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server.errors import ApiError
from lagesbild_desktop.sync.server.models import Device, Record, Token, User

log = logging.getLogger(__name__)

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user, their organisation and role, and the device.

    `server` marks the server's own administrator (the admin commands, `SERVER_ADMIN`):
    no account, no organisation, and the only one who adds organisations and may change
    any of them. Roles of accounts never make one: an account's `admin` is its own
    organisation's administrator.
    """

    user_id: str
    username: str
    org_id: str
    role: str
    device_id: str
    server: bool = False


SERVER_ADMIN = Principal(user_id="", username="(server admin)", org_id="", role="admin",
                         device_id="server", server=True)


@dataclass(frozen=True, slots=True)
class TokenSettings:
    access_ttl: timedelta = timedelta(seconds=protocol.ACCESS_TOKEN_SECONDS)
    refresh_ttl: timedelta = timedelta(seconds=protocol.REFRESH_TOKEN_SECONDS)


def check_password(session: Session, username: str, password: str) -> str:
    """The id of the user, if the password is right and the account active.

    Run in a read transaction: argon2 takes tens of milliseconds on purpose, and no
    write lock should wait for it.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        raise ApiError("bad_credentials")
    if not verify_password(user.password_hash, password) or not user.active:
        log.info("failed sign-in for %s", username)
        raise ApiError("bad_credentials")
    return user.id


def login(session: Session, user_id: str, request: protocol.TokenRequest,
          settings: TokenSettings, now: datetime) -> protocol.TokenResponse:
    """Register or update the device and give it tokens, after `check_password`.

    A device id belongs to the account that first used it. Another account naming it
    gets a device of its own (told in the answer's `device_id`), the same one each time
    it names that id; the first account's device and tokens are left alone.
    """
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ApiError("bad_credentials")
    device = session.get(Device, request.device_id)
    if device is not None and device.user_id != user.id:
        device = session.scalar(select(Device).where(
            Device.user_id == user.id, Device.asked_as == request.device_id))
        if device is None:
            device = Device(id=str(uuid.uuid4()), name=request.device_name[:200],
                            user_id=user.id, registered_at=now, last_seen_at=now,
                            revoked_at=None, asked_as=request.device_id)
            session.add(device)
            log.info("device id %s is another account's: %s gets device %s", request.device_id,
                     user.username, device.id)
    if device is None:
        device = Device(id=request.device_id, name=request.device_name[:200], user_id=user.id,
                        registered_at=now, last_seen_at=now, revoked_at=None)
        session.add(device)
        log.info("device %s (%s) registered by %s", device.id, device.name, user.username)
    elif device.revoked_at is not None:
        raise ApiError("device_revoked")
    else:
        device.last_seen_at = now
        if request.device_name:
            device.name = request.device_name[:200]
    session.flush()  # a second sign-in registering the same device at once fails here
    return _issue(session, user, device.id, settings, now)


def refresh(session: Session, request: protocol.RefreshRequest, settings: TokenSettings,
            now: datetime) -> protocol.TokenResponse:
    token = session.get(Token, token_hash(request.refresh_token))
    if token is None or token.kind != "refresh" or token.device_id != request.device_id:
        raise ApiError("token_invalid")
    device = session.get(Device, token.device_id)
    if device is None or device.revoked_at is not None:
        raise ApiError("device_revoked")
    if token.expires_at <= now:
        session.delete(token)
        raise ApiError("token_expired")
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise ApiError("bad_credentials")
    # Rotation: a refresh token works once, and the access token issued with it ends
    # now, not when it expires (whoever holds a copy of it is out at once).
    session.execute(delete(Token).where(Token.kind == "access",
                                        Token.issued_with == token.token_hash))
    session.delete(token)
    device.last_seen_at = now
    return _issue(session, user, device.id, settings, now)


def _issue(session: Session, user: User, device_id: str, settings: TokenSettings,
           now: datetime) -> protocol.TokenResponse:
    access, refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    # Expired tokens of this device are of no use any more.
    session.execute(delete(Token).where(Token.device_id == device_id, Token.expires_at <= now))
    session.add_all([
        Token(token_hash=token_hash(access), kind="access", user_id=user.id,
              device_id=device_id, expires_at=now + settings.access_ttl,
              issued_with=token_hash(refresh_token)),
        Token(token_hash=token_hash(refresh_token), kind="refresh", user_id=user.id,
              device_id=device_id, expires_at=now + settings.refresh_ttl),
    ])
    org = session.get(Record, ("organisation", user.org_id))
    org_name, org_kind = "", ""
    if org is not None:
        data = json.loads(org.data)
        org_name, org_kind = data.get("name", ""), data.get("kind", "")
    return protocol.TokenResponse(
        access_token=access, refresh_token=refresh_token,
        expires_in=int(settings.access_ttl.total_seconds()),
        user=protocol.UserInfo(id=user.id, username=user.username,
                               display_name=user.display_name, org_id=user.org_id,
                               role=user.role),
        organisation=protocol.OrganisationInfo(id=user.org_id, name=org_name, kind=org_kind),
        device_id=device_id)


def authenticate(session: Session, token: str | None, now: datetime) -> Principal:
    """The caller of a request from its bearer token, or an ApiError."""
    if not token or len(token) > protocol.MAX_TOKEN_LENGTH:
        raise ApiError("token_invalid")
    found = session.execute(
        select(Token, Device, User)
        .join(Device, Device.id == Token.device_id)
        .join(User, User.id == Token.user_id)
        .where(Token.token_hash == token_hash(token))
    ).first()
    if found is None:
        raise ApiError("token_invalid")
    stored, device, user = found
    if stored.kind != "access":
        raise ApiError("token_invalid")
    if device.revoked_at is not None:
        raise ApiError("device_revoked")
    if stored.expires_at <= now:
        raise ApiError("token_expired")
    if not user.active:
        raise ApiError("token_invalid")
    return Principal(user.id, user.username, user.org_id, user.role, device.id)

