"""Staff use cases: users, logins and sessions."""
