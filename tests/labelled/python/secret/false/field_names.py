from django import forms

PASSWORD_FIELD = "password"
TOKEN_HEADER = "X-Auth-Token"
SECRET_KEY_ENV_VAR = "APP_SECRET_KEY"


class LoginForm(forms.Form):
    username = forms.CharField()
    password = forms.CharField(widget=forms.PasswordInput)
