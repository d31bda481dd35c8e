"""The internal newsletter: issues, subscriptions, durable sending without tracking."""
