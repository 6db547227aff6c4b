# Copy to local_settings.py and fill in real values.
SECRET_KEY = "your-secret-key-here"
DATABASE_PASSWORD = "xxxxxxxx"
STRIPE_API_KEY = ""
