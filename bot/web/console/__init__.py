"""The staff console at /console: sign-in (auth), the mediators' referrals, the educators' questions."""
