"""Shapes for accounts and tokens."""

from pydantic import BaseModel, Field

from contest.core.enums import Role


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: Role


class UserRegister(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    name: str = Field(max_length=100)
