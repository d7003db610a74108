"""Console users: a name, a role and an argon2id password hash (argon2-cffi), in ops_users.

Roles: viewer (figures only), supervisor (also handoff summaries and call content), auditor
(figures and the audit views). Passwords never leave this module unhashed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from appliance.ops.store import OpsUser

ROLES = ("viewer", "supervisor", "auditor")
MIN_PASSWORD = 10
_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
_hasher = PasswordHasher()


class UserError(ValueError):
    """A user name, role or password that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.role]


PERMISSIONS = {
    "viewer": frozenset({"figures"}),
    "supervisor": frozenset({"figures", "call-content", "intents"}),
    "auditor": frozenset({"figures", "audit"}),
}


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UserError(f"user name {name[:40]!r}: 2-32 lowercase letters, digits, '.', '_' or '-'")
    return name


def add_user(sessions: sessionmaker, name: str, role: str, password: str) -> User:
    check_name(name)
    if role not in ROLES:
        raise UserError(f"role {role!r}: use one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    with sessions.begin() as db:
        if db.get(OpsUser, name) is not None:
            raise UserError(f"user {name} exists already (remove it first, or use 'users passwd')")
        db.add(
            OpsUser(name=name, role=role, password_hash=_hasher.hash(password), created_at=datetime.now(UTC))
        )
    return User(name, role)


def set_password(sessions: sessionmaker, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    with sessions.begin() as db:
        row = db.get(OpsUser, name)
        if row is None:
            raise UserError(f"no user {name!r}")
        row.password_hash = _hasher.hash(password)


def remove_user(sessions: sessionmaker, name: str) -> None:
    with sessions.begin() as db:
        row = db.get(OpsUser, name)
        if row is None:
            raise UserError(f"no user {name!r}")
        db.delete(row)


def list_users(sessions: sessionmaker) -> list[User]:
    with sessions() as db:
        return [User(r.name, r.role) for r in db.scalars(select(OpsUser).order_by(OpsUser.name))]


def authenticate(sessions: sessionmaker, name: str, password: str) -> User | None:
    """The user, or None for an unknown name or a wrong password (the same answer for both)."""
    with sessions() as db:
        row = db.get(OpsUser, name) if _NAME.fullmatch(name) else None
    if row is None:
        _hasher.hash(password)  # as slow as a real check, so a name cannot be probed by timing
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row.name, row.role)
