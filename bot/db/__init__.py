"""Our own data (organizations, referrals, staff users, the Q&A log): SQLAlchemy models, sessions, migrations."""
