"""Events and exchange formats: registrations, series, materials, mails and the calendar feed."""
