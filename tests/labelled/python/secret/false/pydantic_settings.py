from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str
    secret_key: str
    api_key: str = ""
    token_ttl_seconds: int = 3600


settings = Settings()
