from cryptography.fernet import Fernet


def new_vault_key():
    key = Fernet.generate_key()
    return Fernet(key), key
