"""Settings, from environment variables prefixed ``CHAINKG_`` (and an optional ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service in one typed object.

    >>> Settings(store="").store_path is None
    True
    """

    model_config = SettingsConfigDict(env_prefix="CHAINKG_", env_file=".env", extra="ignore")

    store: str = Field("var/store", description="store directory; empty string = in memory")
    host: str = "127.0.0.1"
    port: int = 8000
    build_if_empty: bool = Field(True, description="load ontology + seeds when the store is empty")
    query_timeout: float = Field(10.0, gt=0, description="seconds a SPARQL query may run")
    max_rows: int = Field(10_000, gt=0, description="rows (or triples) a SPARQL answer may hold")
    admin_token: SecretStr | None = Field(
        None, description="enables /sparql/update, /api/imports and /api/ingest when set (empty = unset)")
    import_max_bytes: int = Field(20_000_000, gt=0, description="largest file POST /api/imports accepts (413)")
    max_body_bytes: int = Field(1_048_576, gt=0, description="largest request body (and URL) of other routes, bytes")
    worker_memory_mb: int = Field(1024, ge=0, description="data-memory cap of each SPARQL worker, MiB (0: none)")
    sparql_workers: int = Field(2, gt=0, description="SPARQL worker processes")
    sandbox: Literal["require", "off"] = Field(
        "require", description="cut SPARQL workers and the update thread off from the network")
    keyword_check: bool = Field(True, description="refuse SERVICE/LOAD before evaluation (false: sandbox only)")
    review_db: str = Field("", description="review file of chainkg ingest; empty = <store>.review.sqlite "
                                           "beside the store (in memory for an in-memory store)")
    cors_origins: list[str] = Field(default_factory=list)
    root_path: str = Field("", description="path prefix when served behind a proxy")
    access_log: bool = True
    sparql_endpoint: str | None = Field(
        None, description="query URL of a SPARQL 1.1 server to use instead of the embedded store")
    sparql_update_endpoint: str | None = Field(None, description="update URL of that server (else read-only)")
    sparql_user: str | None = Field(None, description="HTTP basic user for the SPARQL server")
    sparql_password: SecretStr | None = Field(None, description="HTTP basic password for the SPARQL server")
    sparql_timeout: float = Field(30.0, gt=0, description="seconds each request to the SPARQL server may take")

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_no_token(cls, value: object) -> object:
        """``CHAINKG_ADMIN_TOKEN=`` (empty or blank) means no token: the update endpoint stays off."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _one_guard_at_least(self) -> Settings:
        if self.sandbox == "off" and not self.keyword_check:
            raise ValueError("CHAINKG_SANDBOX=off and CHAINKG_KEYWORD_CHECK=false together would let "
                             "SERVICE and LOAD reach the network; keep at least one")
        return self

    @property
    def store_path(self) -> Path | None:
        return Path(self.store) if self.store else None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment on first use."""
    return Settings()
