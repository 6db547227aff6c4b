SMTP = {
    "host": "smtp.mailhost.net",
    "port": 587,
    "username": "notifications@shop.example.com",
    "password": "Tr0ub4dor&3",
}
