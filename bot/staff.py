"""Console accounts: creating them and checking passwords (hashes only, never the password)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bot.db.models import USER_ROLES, Organization, User

MIN_PASSWORD = 10


class UserError(ValueError):
    """An account that cannot be created as asked."""


def create_user(session: Session, username: str, password: str, role: str, org_id: str | None = None) -> User:
    """Mediators must belong to an existing organization; educators and admins to none."""
    if role not in USER_ROLES:
        raise UserError(f"role must be one of {', '.join(USER_ROLES)}")
    if not username or len(username) > 80:
        raise UserError("username must be 1-80 characters")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")
    if role == "mediator" and (not org_id or session.get(Organization, org_id) is None):
        raise UserError(
            "a mediator needs --org with an existing organization id (import the directory first)"
        )
    if role != "mediator" and org_id:
        raise UserError("only mediators belong to an organization")
    if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise UserError(f"user {username} already exists")
    user = User(username=username, password_hash=generate_password_hash(password), role=role, org_id=org_id)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user
