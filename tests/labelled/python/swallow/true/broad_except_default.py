def int_setting(settings, name, default=0):
    try:
        value = int(settings[name])
    except Exception:
        value = default
    return value
