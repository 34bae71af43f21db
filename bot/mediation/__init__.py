"""People's mediation (人民调解): the intake, places, the directory, routing, referrals, their workflow and notices."""
